// The applicant page: everything through the link's token (#t=… in the link, never sent to a server as part of a
// URL, then kept by the tab and taken out of the address): consent → upload with progress → stages → result in
// plain words → erasure.

import { Api, ApiError, TERMINAL, follow, uploadToForm } from "./api.js";
import { byId, clear, formatBytes, formatTime, h, toast } from "./dom.js";
import { renderApplicantResult, sourceList } from "./result.js";
import { loadTexts, errorText, stageText } from "./texts.js";

const NAMES = { facebook: "Facebook export", linkedin: "LinkedIn export", instagram: "Instagram export", x: "X archive" };
const STAGES = ["collecting", "ingest", "analyses", "scored"];

let api = null;
let state = null;
let partial = false; // this page uploaded fewer files than the lender asked for

const TOKEN_KEY = "credscore.applicantToken";

function tokenFromAddress() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromLink = params.get("t");
  if (fromLink) {
    // Out of the address bar and the browser's (synced) history: the link also lets whoever holds it erase the
    // application. This tab keeps it, so a reload still works.
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, "", location.pathname + location.search);
    return fromLink;
  }
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

async function apiBase() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) return (await response.json()).apiBase || "";
  } catch { /* same origin */ }
  return "";
}

function linkProblem(message) {
  const el = byId("link-problem");
  el.textContent = message;
  el.hidden = !message;
}

function problem(message) {
  const el = byId("apply-problem");
  el.textContent = message || "";
  el.hidden = !message;
}

function chosenFiles() {
  const files = {};
  for (const input of document.querySelectorAll("input[type=file][data-platform]")) {
    const list = [...input.files].sort((a, b) => a.name.localeCompare(b.name));
    if (list.length) files[input.dataset.platform] = list;
  }
  return files;
}

function validate(forms) {
  if (!byId("consent").checked) return "Consent is needed before anything is uploaded.";
  const files = chosenFiles();
  if (!Object.keys(files).length) return "Choose at least one export.";
  for (const [platform, list] of Object.entries(files)) {
    const wanted = (state.declared || {})[platform] || 0;
    if (list.length > wanted) return `Choose at most ${wanted} file(s) for ${NAMES[platform] || platform}.`;
    for (const file of list) {
      if (!/\.zip$/i.test(file.name)) return `${file.name} (${platform}) is not a .zip file.`;
      if (file.size === 0) return `${file.name} (${platform}) is empty.`;
    }
  }
  return "";
}

function sourceInputs(declared, received) {
  const box = clear(byId("source-inputs"));
  for (const [platform, parts] of Object.entries(declared || {})) {
    const done = received.filter((part) => part.startsWith(`${platform}/`)).length;
    const id = `file-${platform}`;
    box.append(h("div", { class: "source" },
      h("label", { for: id }, `${NAMES[platform] || platform} (.zip${parts > 1 ? `, ${parts} files` : ""})`),
      h("input", { id, type: "file", "data-platform": platform, accept: ".zip,application/zip", multiple: parts > 1,
        disabled: done >= parts }),
      done ? h("p", { class: "hint" }, `${done} of ${parts} already received.`) : null));
  }
}

function uploadRow(platform, part, file) {
  const id = `up-${platform}-${part}`;
  const bar = h("progress", { id, max: file.size, value: 0 });
  const note = h("span", { class: "hint" }, "waiting");
  const row = h("li", { class: "upload" },
    h("label", { for: id }, `${platform} part ${part}: ${file.name} (${formatBytes(file.size)})`), bar, note);
  return { row, bar, note };
}

function showStages(current) {
  const list = clear(byId("stages"));
  const reached = current === "failed" || current === "erased" ? -1 : STAGES.indexOf(current);
  STAGES.forEach((stage, index) => {
    const done = reached > index || current === "scored";
    const now = reached === index && current !== "scored";
    list.append(h("li", { class: done ? "done" : now ? "current" : "todo", "aria-current": now ? "step" : null },
      stageText(stage), done ? " ✓" : now ? " …" : ""));
  });
}

export function describe(current, uploadsDone) {
  const received = (current.received || []).length;
  const declared = Object.values(current.declared || {}).reduce((a, b) => a + b, 0);
  if (current.status === "collecting") {
    return uploadsDone
      ? `Your files are uploaded; waiting for the service to register them (${received} of ${declared} so far)…`
      : `Waiting for your exports (${received} of ${declared} received).`;
  }
  if (current.status === "processing") return `${current.stage_text || stageText(current.stage)}…`;
  if (current.status === "scored") return "Done: your result is below.";
  if (current.status === "failed") return `Your application could not be scored: ${errorText(current.error)}`;
  if (current.status === "erased") return "Your data were erased.";
  return stageText(current.status);
}

function onState(current, uploadsDone) {
  state = current;
  byId("apply-progress").hidden = false;
  showStages(current.stage);
  const status = byId("apply-status");
  status.textContent = describe(current, uploadsDone);
  status.classList.toggle("error", current.status === "failed");
  sourceList(byId("apply-sources"), current.sources);
  // Uploaded some but not all: the applicant may score with what arrived (the rest counts as absent).
  byId("submit-box").hidden = !(partial && current.status === "collecting");
}

async function showResult() {
  const container = byId("apply-result");
  renderApplicantResult(container, await api.myResult());
  container.hidden = false;
}

async function followToEnd(uploadsDone) {
  const final = await follow(api, null, (current) => onState(current, uploadsDone), { read: () => api.mine() });
  if (final.status === "scored") await showResult();
  byId("erase-section").hidden = final.status === "erased";
}

async function upload() {
  const files = chosenFiles();
  byId("apply-submit").disabled = true;
  const { uploads } = await api.uploadForms(
    byId("notice-version").textContent.trim(), byId("model-consent").checked,
  );
  byId("view-apply").hidden = true;
  byId("apply-progress").hidden = false;
  const list = clear(byId("upload-list"));
  const rows = uploads.filter((form) => files[form.platform] && files[form.platform][form.part - 1])
    .map((form) => {
      const file = files[form.platform][form.part - 1];
      const ui = uploadRow(form.platform, form.part, file);
      list.append(ui.row);
      return { form, file, ui };
    });
  for (const { form, file, ui } of rows) {
    if (file.size > form.max_bytes) {
      ui.note.textContent = `too large: at most ${formatBytes(form.max_bytes)}`;
      throw new Error(`${file.name} is larger than the ${formatBytes(form.max_bytes)} allowed.`);
    }
  }
  const declared = Object.values(state.declared || {}).reduce((a, b) => a + b, 0);
  const status = byId("apply-status");
  for (const { form, file, ui } of rows) {
    status.textContent = `Uploading ${file.name}…`;
    ui.note.textContent = "uploading";
    await uploadToForm(form, file, (loaded, total) => {
      ui.bar.max = total;
      ui.bar.value = loaded;
      ui.note.textContent = `${Math.round((loaded / total) * 100)}%`;
    }).catch((error) => {
      ui.note.textContent = "failed";
      throw error;
    });
    ui.note.textContent = "uploaded";
  }
  partial = rows.length + (state.received || []).length < declared;
  await followToEnd(true);
}

async function submitNow() {
  byId("submit-now").disabled = true;
  partial = false;
  try {
    onState(await api.submitMine(), false);
  } catch (error) {
    toast(`Could not start the scoring: ${error.message}`);
    byId("submit-now").disabled = false;
  }
}

function askErase() {
  const dialog = byId("erase-dialog");
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "erase") return;
    try {
      const receipt = await api.eraseMine();
      byId("erase-receipt").textContent =
        `Erased on ${formatTime(receipt.erased_at)}: ${receipt.objects_deleted} file(s) and ` +
        `${receipt.records_deleted} record(s) deleted. Reference of this receipt: ${receipt.application_id}.`;
      byId("erase").disabled = true;
      clear(byId("apply-result")).hidden = true;
      byId("apply-status").textContent = "Your data were erased.";
      clear(byId("apply-sources"));
      clear(byId("stages"));
    } catch (error) {
      toast(`Erasure failed: ${error.message}`);
    }
  }, { once: true });
}

async function init() {
  const [base] = await Promise.all([apiBase(), loadTexts()]);
  const token = tokenFromAddress();
  if (!token) {
    linkProblem("This page opens from the link your lender sent you. Open that link again.");
    document.body.dataset.ready = "true";
    return;
  }
  api = new Api(base, token);
  try {
    state = await api.mine();
  } catch (error) {
    const code = error instanceof ApiError && error.body && error.body.error;
    linkProblem(code ? errorText({ code }) : `This link does not work: ${error.message}`);
    document.body.dataset.ready = "true";
    return;
  }
  byId("view-until").textContent = formatTime(state.view_until);
  byId("erase-until").textContent = formatTime(state.view_until);
  byId("upload-until").textContent = formatTime(state.upload_until);
  byId("erase-section").hidden = false;
  byId("erase").addEventListener("click", askErase);
  byId("submit-now").addEventListener("click", submitNow);
  const wanted = Object.entries(state.declared || {}).map(([p, n]) => `${NAMES[p] || p}${n > 1 ? ` (${n} files)` : ""}`);
  byId("asked-for").textContent = wanted.length
    ? `Your lender asks for: ${wanted.join(", ")}.`
    : "Your lender asked us to fetch your X account by its handle: nothing to upload.";
  if (state.uploads_open) {
    byId("view-apply").hidden = false;
    sourceInputs(state.declared, state.received || []);
    const form = byId("apply-form");
    const refresh = () => { byId("apply-submit").disabled = !byId("consent").checked; };
    form.addEventListener("change", () => { refresh(); problem(""); });
    refresh();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = validate();
      problem(message);
      if (message) return;
      try {
        await upload();
      } catch (error) {
        byId("apply-status").textContent = `Stopped: ${error.message}`;
        byId("apply-status").classList.add("error");
        toast(error.message);
        // The form again, to try once more (the forms it asks for are fresh, for the parts not yet received).
        byId("view-apply").hidden = false;
        refresh();
      }
    });
  }
  document.body.dataset.ready = "true";
  if (!state.uploads_open || (state.received || []).length) {
    onState(state, false);
    if (!TERMINAL.has(state.status) || state.status === "scored") {
      followToEnd(false).catch((error) => toast(error.message));
    }
  }
}

window.addEventListener("hashchange", () => location.reload());
init();
