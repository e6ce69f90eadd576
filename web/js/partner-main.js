// The partner console: the key (typed by the partner, kept in sessionStorage), new applications with their
// applicant link, the list with filter and search, and each application's detail.

import { Api } from "./api.js";
import { byId, toast } from "./dom.js";
import { setupPartner } from "./partner.js";
import { loadSettings, saveSettings } from "./settings.js";
import { loadTexts } from "./texts.js";

let settings = { apiBase: "", partnerKey: "" };
const getApi = () => new Api(settings.apiBase, settings.partnerKey);

async function init() {
  [settings] = await Promise.all([loadSettings(), loadTexts()]);
  byId("api-base").value = settings.apiBase;
  byId("partner-key").value = settings.partnerKey;
  const refresh = setupPartner(getApi);
  byId("settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    settings = { apiBase: byId("api-base").value.trim(), partnerKey: byId("partner-key").value.trim() };
    saveSettings(settings);
    byId("settings").open = false;
    toast("Partner key kept for this tab.");
    refresh();
  });
  if (!settings.partnerKey) {
    byId("settings").open = true;
    byId("list-status").textContent = "Enter the partner key to see the applications.";
  } else {
    refresh();
  }
  document.body.dataset.ready = "true";
}

init();
