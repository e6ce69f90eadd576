// Words for people: the catalogue in texts.json (the same file the API, the CLI and the report use), keyed by
// the codes the API keeps. Missing catalogue: the codes are shown, made readable.

let catalogue = { features: {}, reasons: {}, source_statuses: {}, source_reasons: {}, errors: {}, stages: {} };

export async function loadTexts() {
  try {
    const response = await fetch("texts.json", { cache: "no-store" });
    if (response.ok) catalogue = await response.json();
  } catch { /* keep the readable codes */ }
  return catalogue;
}

const readable = (code) => String(code ?? "").replaceAll("_", " ");

export const featureLabel = (code) => catalogue.features?.[code]?.label || readable(code);
export const featureAbout = (code) => catalogue.features?.[code]?.about || "";
export const reasonText = (code, fallback) => catalogue.reasons?.[code] || fallback || readable(code);
export const sourceStatus = (status) => catalogue.source_statuses?.[status] || readable(status);
export const sourceReason = (code, fallback) => catalogue.source_reasons?.[code] || fallback || readable(code);
export const warningsText = () => catalogue.source_warnings || "Some files in this export could not be read.";
export const stageText = (stage) => catalogue.stages?.[stage] || readable(stage);

// An error for a person: the catalogue's message for a known code, a generic one (with the code) otherwise.
export function errorText(error) {
  if (!error) return "";
  const code = error.code || "internal_error";
  const known = catalogue.errors?.[code];
  return known ? known : `${catalogue.errors?.internal_error || "Something went wrong."} (code ${code})`;
}
