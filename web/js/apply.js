// The applicant's flow: consent → choose exports → create the application → upload each part → follow → result.

import { follow, uploadToForm } from "./api.js";
import { byId, clear, formatBytes, h, toast } from "./dom.js";
import { renderResult, sourceList } from "./result.js";

const PURPOSE = "credit assessment for a loan application";

function chosenFiles() {
  const files = {};
  for (const input of document.querySelectorAll("input[type=file][data-platform]")) {
    const list = [...input.files].sort((a, b) => a.name.localeCompare(b.name));
    if (list.length) files[input.dataset.platform] = list;
  }
  return files;
}

function problem(message) {
  const el = byId("apply-problem");
  el.textContent = message || "";
  el.hidden = !message;
}

function validate() {
  const files = chosenFiles();
  const handle = byId("x-handle").value.trim();
  if (!byId("consent").checked) return "Consent is needed before anything is uploaded.";
  if (!Object.keys(files).length && !handle) return "Choose at least one export, or give an X handle.";
  if (handle && files.x) return "Give either an X archive or an X handle, not both.";
  if (handle && !byId("x-handle").checkValidity()) return "An X handle is 1–15 letters, digits or underscores.";
  if (!byId("reference").checkValidity()) return "The reference may only hold letters, digits, '.', '_' and '-'.";
  for (const [platform, list] of Object.entries(files)) {
    for (const file of list) {
      if (!/\.zip$/i.test(file.name)) return `${file.name} (${platform}) is not a .zip file.`;
      if (file.size === 0) return `${file.name} (${platform}) is empty.`;
    }
  }
  return "";
}

function refreshButton() {
  // The button stays off until consent is given; other problems are explained when it is pressed.
  byId("apply-submit").disabled = !byId("consent").checked;
}

function uploadRow(platform, part, file) {
  const id = `up-${platform}-${part}`;
  const bar = h("progress", { id, max: file.size, value: 0 });
  const note = h("span", { class: "hint" }, "waiting");
  const row = h("li", { class: "upload" },
    h("label", { for: id }, `${platform} part ${part}: ${file.name} (${formatBytes(file.size)})`), bar, note);
  return { row, bar, note };
}

async function run(getApi) {
  const api = getApi();
  const files = chosenFiles();
  const handle = byId("x-handle").value.trim();
  const sources = Object.fromEntries(Object.entries(files).map(([p, list]) => [p, list.length]));
  byId("apply-submit").disabled = true;
  const progress = byId("apply-progress");
  const status = byId("apply-status");
  const list = clear(byId("upload-list"));
  clear(byId("apply-sources"));
  byId("apply-result").hidden = true;
  progress.hidden = false;
  status.textContent = "Creating the application…";
  status.classList.remove("error");

  const created = await api.createApplication({
    sources, xHandle: handle || undefined, reference: byId("reference").value.trim() || undefined,
    noticeVersion: byId("notice-version").textContent.trim(), purpose: PURPOSE,
    modelDevelopment: byId("model-consent").checked,
  });
  byId("apply-id").textContent = created.application_id;
  const rows = created.uploads.map((form) => {
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
  if (!rows.length) status.textContent = "Fetching your X account…";
  const state = await follow(api, created.application_id, (current) => {
    status.textContent = describeStatus(current);
    sourceList(byId("apply-sources"), current.sources);
  });
  if (state.status === "scored") {
    const { result } = await api.result(created.application_id);
    const container = byId("apply-result");
    renderResult(container, result);
    container.hidden = false;
    status.textContent = "Scored.";
    container.scrollIntoView({ block: "start" });
  } else if (state.status === "failed") {
    const reason = state.error ? state.error.message || state.error.reason || state.error.code : "";
    status.textContent = `The application could not be scored${reason ? `: ${reason}` : "."}`;
    status.classList.add("error");
  }
}

export function describeStatus(state) {
  const received = (state.received || []).length;
  const declared = Object.values(state.declared || {}).reduce((a, b) => a + b, 0);
  switch (state.status) {
    case "collecting": return `Waiting for uploads (${received} of ${declared} received)…`;
    case "processing": return "Reading your exports and computing the score…";
    case "scored": return "Scored.";
    case "failed": return "Failed.";
    case "erased": return "Erased.";
    default: return `Status: ${state.status}`;
  }
}

export function setupApply(getApi) {
  const form = byId("apply-form");
  form.addEventListener("change", () => { refreshButton(); problem(""); });
  form.addEventListener("input", refreshButton);
  refreshButton();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = validate();
    problem(message);
    if (message) return;
    try {
      await run(getApi);
    } catch (error) {
      byId("apply-status").textContent = `Stopped: ${error.message}`;
      byId("apply-status").classList.add("error");
      toast(error.message);
    } finally {
      refreshButton();
    }
  });
}
