// Entry point: settings, the two views (#apply for applicants, #partner for the lender) and their wiring.

import { Api } from "./api.js";
import { byId, toast } from "./dom.js";
import { setupApply } from "./apply.js";
import { setupPartner } from "./partner.js";
import { loadSettings, saveSettings } from "./settings.js";

let settings = { apiBase: "", partnerKey: "" };
const getApi = () => new Api(settings.apiBase, settings.partnerKey);

function route(onPartner) {
  const partner = location.hash === "#partner";
  byId("view-apply").hidden = partner;
  byId("view-partner").hidden = !partner;
  byId("nav-apply").setAttribute("aria-current", partner ? "false" : "page");
  byId("nav-partner").setAttribute("aria-current", partner ? "page" : "false");
  if (partner) onPartner();
}

async function init() {
  settings = await loadSettings();
  byId("api-base").value = settings.apiBase;
  byId("partner-key").value = settings.partnerKey;
  if (!settings.apiBase || !settings.partnerKey) byId("settings").open = true;
  byId("settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    settings = { apiBase: byId("api-base").value.trim(), partnerKey: byId("partner-key").value.trim() };
    saveSettings(settings);
    byId("settings").open = false;
    toast("Settings saved for this tab.");
  });
  setupApply(getApi);
  const refresh = setupPartner(getApi);
  window.addEventListener("hashchange", () => route(refresh));
  route(refresh);
  document.body.dataset.ready = "true";
}

init();
