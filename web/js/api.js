// The API (Authorization: Bearer <partner key> for the partner console, <link token> for the applicant page)
// and the presigned S3 upload.

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

function describe(status, body) {
  if (status === 0) return body.message;
  if (body && typeof body === "object") {
    if (body.message) return `${body.message} (HTTP ${status})`;
    if (Array.isArray(body.detail)) {
      // Request validation errors: [{loc, msg, type}], shown as "body.sources.0.parts: too large".
      const problems = body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
      return `the request was refused: ${problems} (HTTP ${status})`;
    }
  }
  if (status === 401 || status === 403) return `the key or link was refused (HTTP ${status})`;
  return `HTTP ${status}`;
}

export const TERMINAL = new Set(["scored", "failed", "erased"]);

// A 429 (refused before anything ran) or a 503 `busy` (the application's record stayed busy with the pipeline's
// writes: nothing was written) is sent again after Retry-After, at most 5 s, twice at most.
const RETRIES = 2;

function retryWaitMs(response, parsed, attempt) {
  const busy = response.status === 503 && parsed !== null && typeof parsed === "object" && parsed.error === "busy";
  if (attempt >= RETRIES || !(response.status === 429 || busy)) return null;
  const header = response.headers.get("retry-after");
  const asked = header === null ? Number.NaN : Number(header);
  return Math.min(Number.isFinite(asked) && asked >= 0 ? asked : 2 ** attempt, 5) * 1000;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

export class Api {
  constructor(base, key) {
    this.base = (base || "").replace(/\/+$/, "");
    this.key = key || "";
  }

  async request(method, path, body, accept = "application/json") {
    const headers = { Authorization: `Bearer ${this.key}`, Accept: accept };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    for (let attempt = 0; ; attempt += 1) {
      let response;
      try {
        response = await fetch(this.base + path, {
          method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new ApiError(0, { message: `the API at ${this.base || "(not set)"} cannot be reached` });
      }
      const text = await response.text();
      let parsed = text;
      if ((response.headers.get("content-type") || "").includes("json")) {
        try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
      }
      if (response.ok) return parsed;
      const wait = retryWaitMs(response, parsed, attempt);
      if (wait === null) throw new ApiError(response.status, parsed);
      await pause(wait);
    }
  }

  createApplication({ sources, xHandle, reference, noticeVersion, purpose, modelDevelopment = false }) {
    const body = {
      consent: {
        granted: true,
        purpose,
        notice_version: noticeVersion,
        granted_at: Math.floor(Date.now() / 1000),
        model_development: Boolean(modelDevelopment),
      },
      sources: { ...sources },
    };
    if (xHandle) body.x_handle = xHandle;
    if (reference) body.reference = reference;
    return this.request("POST", "/applications", body);
  }

  list(nextToken, { status, reference } = {}) {
    const query = new URLSearchParams();
    if (nextToken) query.set("next_token", nextToken);
    if (status) query.set("status", status);
    if (reference) query.set("reference", reference);
    const text = query.toString();
    return this.request("GET", `/applications${text ? `?${text}` : ""}`);
  }
  newLink(id) { return this.request("POST", `/applications/${encodeURIComponent(id)}/applicant-token`); }
  revokeLink(id) { return this.request("DELETE", `/applications/${encodeURIComponent(id)}/applicant-token`); }

  // The applicant's routes (the credential is the link's token).
  mine() { return this.request("GET", "/applicant/application"); }
  uploadForms(noticeVersion, modelDevelopment = false) {
    return this.request("POST", "/applicant/uploads", {
      granted: true, notice_version: noticeVersion, model_development: modelDevelopment,
    });
  }
  myResult() { return this.request("GET", "/applicant/result"); }
  submitMine() { return this.request("POST", "/applicant/submit"); }
  eraseMine() { return this.request("DELETE", "/applicant/application"); }
  application(id) { return this.request("GET", `/applications/${encodeURIComponent(id)}`); }
  result(id) { return this.request("GET", `/applications/${encodeURIComponent(id)}/result`); }
  rescore(id) { return this.request("POST", `/applications/${encodeURIComponent(id)}/rescore`); }
  erase(id) { return this.request("DELETE", `/applications/${encodeURIComponent(id)}`); }
  report(id) { return this.request("GET", `/applications/${encodeURIComponent(id)}/report`, undefined, "text/html"); }
}

// POST one file to its presigned form; onProgress(loaded, total) follows the upload.
export function uploadToForm(form, file, onProgress) {
  return new Promise((resolve, reject) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
    data.append("file", file, file.name); // S3 reads every field after "file" as ignored: it goes last
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText || "");
        reject(new Error(`storage refused the upload (HTTP ${xhr.status}${code ? `, ${code[1]}` : ""})`));
      }
    };
    xhr.onerror = () => reject(new Error("the upload was interrupted (network error)"));
    xhr.send(data);
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Poll the application until it is scored, failed or erased; onState sees every state.
// `read` defaults to the partner's view of `id`; the applicant page passes its own reader.
export async function follow(api, id, onState, { interval = 1000, timeoutMs = 15 * 60 * 1000, read } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await (read ? read() : api.application(id));
    onState(state);
    if (TERMINAL.has(state.status)) return state;
    if (Date.now() > deadline) throw new Error(`still ${state.status} after ${timeoutMs / 60000} minutes`);
    await sleep(interval);
  }
}
