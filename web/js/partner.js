// The partner's view: new applications with the applicant's link; the list (reference, score, status, updated)
// with a status filter and a reference search; open one, rescore it, print it, reissue or revoke its link, erase it.

import { TERMINAL, sleep } from "./api.js";
import { byId, clear, formatShortTime, formatTime, h, toast } from "./dom.js";
import { renderResult, sourceList } from "./result.js";
import { errorText } from "./texts.js";

let current = null;
let nextToken = null;
let listed = 0;

function appendRows(getApi, applications) {
  const body = byId("app-table").tBodies[0];
  for (const item of applications) {
    body.append(h("tr", { "data-id": item.application_id },
      h("td", {}, item.reference ? item.reference
        : h("code", { title: item.application_id }, item.application_id.slice(0, 8) + "…")),
      h("td", { class: "num" }, typeof item.score === "number" ? item.score.toFixed(0) : "–"),
      h("td", {}, h("span", { class: `badge ${item.status}` }, item.status)),
      h("td", { title: formatTime(item.updated_at ?? item.created_at) }, formatShortTime(item.updated_at ?? item.created_at)),
      h("td", {}, h("button", {
        type: "button", "aria-label": `Open application ${item.application_id}`,
        onclick: () => openApplication(getApi, item.application_id),
      }, "Open"))));
  }
  listed += applications.length;
}

// The API gives a page at a time; "Show older" appends the next page.
async function loadPage(getApi, more) {
  const status = byId("list-status");
  status.textContent = "Loading…";
  try {
    const filters = { status: byId("filter-status").value, reference: byId("filter-reference").value.trim() };
    const page = await getApi().list(more ? nextToken : null, filters);
    if (!more) {
      clear(byId("app-table").tBodies[0]);
      listed = 0;
    }
    appendRows(getApi, page.applications);
    nextToken = page.next_token || null;
    byId("list-more").hidden = !nextToken;
    status.textContent = listed
      ? `${listed} application(s)${nextToken ? ", older ones not shown yet" : ""}.`
      : (byId("filter-status").value || byId("filter-reference").value ? "No application matches." : "No applications yet.");
  } catch (error) {
    status.textContent = "";
    toast(`Could not list applications: ${error.message}`);
  }
}

const refreshList = (getApi) => loadPage(getApi, false);

function showActions(state) {
  byId("detail-rescore").disabled = state.status !== "scored";
  byId("detail-report").disabled = state.status !== "scored";
  byId("detail-erase").disabled = state.status === "erased";
  byId("detail-link").disabled = state.status === "erased";
  byId("detail-revoke").disabled = state.status === "erased";
}

async function openApplication(getApi, id) {
  const api = getApi();
  current = id;
  const detail = byId("detail");
  detail.hidden = false;
  byId("detail-id").textContent = id;
  const result = clear(byId("detail-result"));
  try {
    let state = await api.application(id);
    // A running application is followed briefly so the partner sees it finish.
    for (let i = 0; i < 60 && !TERMINAL.has(state.status) && current === id; i++) {
      byId("detail-status").textContent = `Status: ${state.status}`;
      await sleep(1000);
      state = await api.application(id);
    }
    if (current !== id) return;
    byId("detail-status").textContent = `Status: ${state.status}` +
      (state.error ? ` — ${errorText(state.error)}` : "") +
      ` (updated ${formatTime(state.updated_at)})`;
    sourceList(byId("detail-sources"), state.sources);
    showActions(state);
    if (state.status === "scored") renderResult(result, await api.result(id));
    detail.scrollIntoView({ block: "nearest" });
  } catch (error) {
    toast(`Could not open ${id}: ${error.message}`);
  }
}

async function rescore(getApi) {
  if (!current) return;
  byId("detail-status").textContent = "Rescoring with the current scoring configuration…";
  try {
    const answer = await getApi().rescore(current);
    renderResult(byId("detail-result"), answer);
    byId("detail-status").textContent = answer.message ||
      `Rescored with configuration version ${answer.result.config_parameter_version ?? "–"}.`;
  } catch (error) {
    toast(`Rescore failed: ${error.message}`);
  }
}

async function openReport(getApi) {
  if (!current) return;
  // Opened before the request so a popup blocker sees it comes from the click.
  const win = window.open("", "_blank");
  try {
    const html = await getApi().report(current);
    const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    if (win) win.location.href = url;
    else window.location.href = url;
  } catch (error) {
    if (win) win.close();
    toast(`Report unavailable: ${error.message}`);
  }
}

function askErase(getApi) {
  if (!current) return;
  const dialog = byId("erase-dialog");
  byId("erase-id").textContent = current;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "erase") return;
    const id = current;
    try {
      const receipt = await getApi().erase(id);
      byId("detail-status").textContent =
        `Erased: ${receipt.objects_deleted} object(s) and ${receipt.records_deleted} record(s) deleted.`;
      clear(byId("detail-result"));
      clear(byId("detail-sources"));
      showActions({ status: "erased" });
      await refreshList(getApi);
    } catch (error) {
      toast(`Erasure failed: ${error.message}`);
    }
  }, { once: true });
}

// The link the applicant opens: this site's applicant page with the token in the fragment.
export function applicantLink(token) {
  return new URL(`./#t=${encodeURIComponent(token)}`, location.href).href;
}

function showLink(link) {
  byId("link-box").hidden = false;
  byId("applicant-link").value = applicantLink(link.applicant_token);
  byId("link-expiry").textContent =
    `Uploads until ${formatTime(link.upload_until)}; the applicant can see and erase their data until ` +
    `${formatTime(link.view_until)}.`;
}

async function createApplication(getApi) {
  const sources = {};
  for (const input of document.querySelectorAll("#new-form input[type=number]")) {
    const parts = Number(input.value);
    if (parts > 0) sources[input.dataset.platform] = parts;
  }
  const xHandle = byId("x-handle").value.trim();
  if (!byId("partner-consent").checked) {
    toast("Record the applicant's agreement first.");
    return;
  }
  try {
    const created = await getApi().createApplication({
      sources, xHandle: xHandle || undefined, reference: byId("reference").value.trim() || undefined,
      noticeVersion: byId("notice-version").textContent.trim(), purpose: "credit assessment for a loan application",
    });
    showLink(created);
    await refreshList(getApi);
  } catch (error) {
    toast(`Could not create the application: ${error.message}`);
  }
}

async function newLink(getApi) {
  if (!current) return;
  try {
    showLink(await getApi().newLink(current));
    byId("link-box").scrollIntoView({ block: "nearest" });
    byId("detail-status").textContent = "A new applicant link was issued; the earlier one no longer works.";
  } catch (error) {
    toast(`No new link: ${error.message}`);
  }
}

async function revokeLink(getApi) {
  if (!current) return;
  try {
    const answer = await getApi().revokeLink(current);
    byId("detail-status").textContent = answer.revoked
      ? "The applicant link was revoked." : "There was no active applicant link.";
  } catch (error) {
    toast(`Revocation failed: ${error.message}`);
  }
}

export function setupPartner(getApi) {
  byId("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    refreshList(getApi);
  });
  byId("new-form").addEventListener("submit", (event) => {
    event.preventDefault();
    createApplication(getApi);
  });
  byId("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(byId("applicant-link").value);
      toast("Link copied.");
    } catch {
      byId("applicant-link").select();
    }
  });
  byId("detail-link").addEventListener("click", () => newLink(getApi));
  byId("detail-revoke").addEventListener("click", () => revokeLink(getApi));
  byId("list-more").addEventListener("click", () => loadPage(getApi, true));
  byId("detail-rescore").addEventListener("click", () => rescore(getApi));
  byId("detail-report").addEventListener("click", () => openReport(getApi));
  byId("detail-erase").addEventListener("click", () => askErase(getApi));
  return () => refreshList(getApi);
}
