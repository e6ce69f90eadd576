// Where the API is (config.json next to the page: {"apiBase": ...}, never a key) and, for the partner console
// only, the partner key the partner typed, kept in this tab's sessionStorage.

const KEY = "credscore.partner";

export async function loadSettings() {
  let fromFile = {};
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) fromFile = await response.json();
  } catch { /* no config.json: the partner fills the form */ }
  let saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch { saved = {}; }
  return { apiBase: saved.apiBase || fromFile.apiBase || "", partnerKey: saved.partnerKey || "" };
}

export function saveSettings(settings) {
  sessionStorage.setItem(KEY, JSON.stringify(settings));
}
