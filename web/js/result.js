// The score, a chart of points against each feature's maximum, the reasons, coverage and sources.

import { h, s, formatNumber, formatValue } from "./dom.js";
import { featureAbout, featureLabel, reasonText, sourceReason, sourceStatus, warningsText } from "./texts.js";

// One row per feature: its name and points on a line, the bar below, across the whole width. No viewBox: the
// SVG's units are CSS pixels and the bars are percentages of its width, so a phone draws the same 14 px text
// as a desktop (a scaled-down viewBox made the labels 8 px at 390 px wide).
const ROW = 46;
const TEXT_Y = 16;
const BAR_Y = 24;
const BAR = 14;

const NO_SCORE = {
  ineligible: "the applicant is outside the eligibility rules",
  insufficient_evidence: "too few features had evidence for a score",
};

let charts = 0; // ids inside each SVG must be unique in the document (two charts may be on the page)

// Draws the chart definition the API sends with a result (`chart`, built by credscore.render.chart, the one the
// printable report draws too): which bars, their order, lengths (shares of the width), hatching and words all
// come from it; only the geometry is this page's.
export function chart(spec) {
  const bars = (spec && Array.isArray(spec.bars)) ? spec.bars : [];
  if (!bars.length) return h("p", { class: "hint" }, (spec && spec.empty_text) || "No enabled features.");
  const height = bars.length * ROW;
  charts += 1;
  const titleId = `chart-title-${charts}`;
  const hatchId = `noevidence-${charts}`;
  const svg = s("svg", { class: "chart", role: "img", width: "100%", height, "aria-labelledby": titleId },
    s("title", { id: titleId }, spec.title));
  svg.append(s("defs", {}, s("pattern", {
    id: hatchId, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
  }, s("rect", { width: 6, height: 6, fill: "#eef1f5" }),
  s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#8a94a3", "stroke-width": 2 }))));
  const percent = (share) => `${(100 * share).toFixed(1)}%`;
  bars.forEach((bar, index) => {
    const y = index * ROW;
    const earned = bar.kind === "earned";
    const row = s("g", { class: earned ? "row" : "row none", "data-feature": bar.feature });
    row.append(s("text", { x: 0, y: y + TEXT_Y }, bar.label));
    row.append(s("text", { class: "value", x: "100%", y: y + TEXT_Y, "text-anchor": "end" }, bar.value_text));
    if (earned) {
      row.append(s("rect", { class: "max", x: 0, y: y + BAR_Y, width: percent(bar.max_share), height: BAR }));
      row.append(s("rect", { class: "pts", x: 0, y: y + BAR_Y, width: percent(bar.points_share), height: BAR },
        s("title", {}, bar.tooltip)));
    } else {
      row.append(s("rect", { class: "noev", x: 0, y: y + BAR_Y, width: percent(bar.max_share), height: BAR, fill: `url(#${hatchId})` },
        s("title", {}, bar.tooltip)));
    }
    svg.append(row);
  });
  return h("figure", { class: "chart-figure" }, svg,
    h("figcaption", { class: "hint" },
      "Dark: points earned. Pale: the feature's maximum. Hatched: no evidence (lowers coverage, not the score)."));
}

function notesOf(item) {
  const evidence = Array.isArray(item.evidence) && item.evidence.length ? [`from ${item.evidence.join(", ")}`] : [];
  const notes = Array.isArray(item.notes) ? item.notes.map(String) : [];
  return [...evidence, ...notes].join("; ");
}

// Each source in plain words: "instagram: read (1 file left out)" with what that means.
export function sourceList(list, sources) {
  list.replaceChildren(...(sources || []).map((source) => h("li", { class: `source-state ${source.status}` },
    h("strong", {}, source.platform), `: ${source.status_text || sourceStatus(source.status)}`,
    source.status !== "parsed" && (source.reason_code || source.reason)
      ? ` — ${sourceReason(source.reason_code, source.reason)}` : "",
    source.warnings
      ? h("span", { class: "hint warnings" }, ` (${source.warnings} file${source.warnings === 1 ? "" : "s"} left out). `,
        source.warnings_text || warningsText())
      : "")));
}

function tile(label, big, small, extraClass = "") {
  return h("div", { class: `tile ${extraClass}` }, h("div", { class: "hint" }, label),
    h("div", { class: "big" }, big), small ? h("div", { class: "hint" }, small) : null);
}

// What the text, name and image analyses read and what they can detect, in the service's own plain words.
export function analysisCoverage(coverage) {
  if (!coverage || typeof coverage !== "object") return null;
  const items = ["texts", "names", "images"].map((key) => coverage[key]).filter((item) => item && typeof item === "object");
  if (!items.length) return null;
  return h("div", { class: "analysis-coverage" }, h("h4", {}, "What was analysed"),
    h("ul", {}, items.map((item) => h("li", { "data-analysis": String(item.analysis ?? "") },
      String(item.summary ?? ""),
      Array.isArray(item.models) && item.models.length
        ? h("span", { class: "hint" }, ` (models: ${item.models.map(String).join(", ")})`) : null))));
}

// A partner's result answer (GET /applications/{id}/result or a rescore): the stored result and its chart.
export function renderResult(container, answer) {
  const r = (answer && answer.result) || {};
  const tiles = h("div", { class: "tiles" });
  if (typeof r.normalised_score === "number") {
    const range = r.normalised_range || {};
    tiles.append(tile("Score", r.normalised_score.toFixed(0),
      range.min !== undefined ? `on ${range.min}–${range.max}` : "", "score"));
  } else if (NO_SCORE[r.status]) {
    tiles.append(tile("Score", "none", NO_SCORE[r.status], "ineligible"));
  }
  tiles.append(tile("Points", formatNumber(r.total_points),
    `of ${formatNumber(r.max_possible)} possible` +
    (typeof r.max_configured === "number" && r.max_configured !== r.max_possible
      ? ` (${r.max_configured.toFixed(0)} configured)` : "")));
  if (r.coverage && typeof r.coverage.ratio === "number") {
    tiles.append(tile("Coverage", `${Math.round(r.coverage.ratio * 100)}%`, "of enabled features had evidence"));
  }
  if (r.eligibility) {
    const eligible = r.eligibility.eligible !== false;
    tiles.append(tile("Eligibility", eligible ? "eligible" : "ineligible",
      r.eligibility.reason || r.eligibility.reason_code || "",
      eligible ? "" : "ineligible"));
  }

  const reasons = (r.reasons || []).filter((reason) => reason && typeof reason === "object");
  const reasonList = reasons.length
    ? h("ol", { class: "reasons" }, reasons.map((reason) => h("li", {},
      reasonText(reason.code, reason.text), " ", h("code", { class: "hint" }, reason.code ?? ""),
      typeof reason.points_below_reference === "number"
        ? h("span", { class: "hint" }, ` (${reason.points_below_reference.toFixed(1)} points below the reference level)`)
        : typeof reason.points_below_max === "number"
          ? h("span", { class: "hint" }, ` (${reason.points_below_max.toFixed(1)} points below maximum)`) : null)))
    : h("p", { class: "hint" }, NO_SCORE[r.status]
      ? `No score was given: ${NO_SCORE[r.status]}.` : "No reasons lowered the score.");

  const features = (r.breakdown || []).filter((item) => item && typeof item === "object");
  const table = h("table", { class: "breakdown" },
    h("caption", {}, "Breakdown per feature"),
    h("thead", {}, h("tr", {}, ["Feature", "Priority", "Value", "Points", "Maximum", "Evidence and notes"].map(
      (name, i) => h("th", { scope: "col", class: i >= 2 && i <= 4 ? "num" : null }, name)))),
    h("tbody", {}, features.map((item) => {
      const evidence = item.has_evidence !== false;
      const enabled = item.enabled !== false;
      return h("tr", { class: enabled ? null : "disabled" },
        h("td", {}, featureLabel(item.feature), " ", h("code", { class: "hint" }, String(item.feature ?? "?")),
          enabled ? "" : " (disabled)"),
        h("td", {}, String(item.priority ?? "")),
        h("td", { class: "num" }, evidence ? formatValue(item.value) : "no evidence"),
        h("td", { class: "num" }, evidence && enabled ? formatNumber(item.points) : "–"),
        h("td", { class: "num" }, formatNumber(item.weight, 0)),
        h("td", { class: "hint notes" }, notesOf(item)));
    })));

  const coverage = r.coverage || {};
  const missing = (coverage.missing || []).map(String);
  const analysed = analysisCoverage(r.analysis_coverage);
  const failures = (r.analysis_failures || []).filter((f) => f && typeof f === "object");
  const parts = [
    h("h3", {}, "Result"),
    tiles,
    h("h4", {}, "Points per feature"),
    chart(answer && answer.chart),
    h("h4", {}, "Reasons that lowered the score"),
    reasonList,
    missing.length ? h("p", {}, "No evidence for: ", missing.map(featureLabel).join(", ")) : null,
    analysed,
    failures.length ? h("p", { class: "warning" }, "Analyses that failed (scored as missing evidence): ",
      failures.map((f) => `${f.analysis}: ${f.error}`).join("; ")) : null,
    // A data table may scroll sideways inside its own box (keyboard-reachable); the page itself never does.
    h("details", {}, h("summary", {}, "Full breakdown"),
      h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Full breakdown (scrolls sideways)" },
        table)),
    h("p", { class: "hint versions" },
      `Scoring configuration version ${r.config_parameter_version ?? "–"}`,
      r.config_version ? ` (configuration ${r.config_version})` : "",
      r.rescored_from !== undefined && r.rescored_from !== null ? `, rescored from version ${r.rescored_from}` : "",
      `, code ${r.code_version ?? "–"}. `,
      r.scale && r.scale.calibrated === true
        ? "The score is fitted to repayment outcomes."
        : "The score is not yet calibrated against repayment data."),
  ];
  container.replaceChildren(...parts.filter(Boolean));
}

// The applicant's own view (GET /applicant/result): the data used and the reasons, in plain words.
export function renderApplicantResult(container, r) {
  const tiles = h("div", { class: "tiles" });
  if (typeof r.score === "number") {
    const range = r.score_range || {};
    tiles.append(tile("Your score", r.score.toFixed(0),
      range.min !== undefined ? `on a scale of ${range.min} to ${range.max}` : "", "score"));
  } else {
    tiles.append(tile("Your score", "none", r.no_score_reason || "", "ineligible"));
  }
  tiles.append(tile("Information found", `${Math.round((r.coverage || 0) * 100)}%`,
    "of what the score looks at was found in your exports"));
  const used = (r.sources || []).filter((source) => source.status === "parsed").map((source) => source.platform);
  const reasons = r.reasons || [];
  container.replaceChildren(...[
    h("h2", {}, "Your result"),
    tiles,
    h("h3", {}, "Which data were used"),
    h("p", {}, used.length ? `Your ${used.join(", ")} export${used.length === 1 ? " was" : "s were"} read.`
      : "None of your exports could be read."),
    h("ul", { class: "source-states", id: "result-sources" }),
    (r.analysed || []).length
      ? h("div", { class: "analysis-coverage", id: "result-analysed" }, h("h3", {}, "What was analysed"),
        h("ul", {}, r.analysed.map((sentence) => h("li", {}, String(sentence)))))
      : null,
    h("h3", {}, "What lowered your score"),
    reasons.length
      ? h("ol", { class: "reasons" }, reasons.map((reason) => h("li", { "data-code": reason.code },
        reason.text || reasonText(reason.code))))
      : h("p", { class: "hint" }, "Nothing lowered your score below the reference level."),
    h("h3", {}, "Points for each part"),
    chart(r.chart),
    h("ul", { class: "about" }, (r.features || []).map((f) => h("li", {},
      h("strong", {}, f.label || featureLabel(f.feature)), ": ",
      f.has_evidence ? `${formatNumber(f.points)} of ${formatNumber(f.max_points, 0)} points, from ` : "not found, from ",
      f.about || featureAbout(f.feature),
      f.evidence && f.evidence.length ? ` (${f.evidence.join(", ")})` : "", "."))),
  ]);
  sourceList(container.querySelector("#result-sources"), r.sources);
}
