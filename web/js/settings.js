// Where the API is and which partner key to use: config.json next to index.html, unless the person saved
// their own values in this tab (sessionStorage).

const KEY = "credscore.settings";

export async function loadSettings() {
  let fromFile = {};
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) fromFile = await response.json();
  } catch { /* no config.json: the person fills the form */ }
  let saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch { saved = {}; }
  const pick = (name) => (saved.manual && saved[name]) || fromFile[name] || saved[name] || "";
  return { apiBase: pick("apiBase"), partnerKey: pick("partnerKey") };
}

export function saveSettings(settings) {
  sessionStorage.setItem(KEY, JSON.stringify({ ...settings, manual: true }));
}
