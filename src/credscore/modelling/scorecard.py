"""The fitted scorecard: WoE bins per characteristic → logistic regression → points, and its configuration.

`ScorecardFitter(options).fit(columns, y)` returns a `Scorecard`; `Scorecard.score(columns)` adds up points
exactly as the scorer applies the configuration's bins; `Scorecard.scorecard_section()` is the shared
`"scorecard"` JSON. Characteristics enter the regression when they have spread and an information value of at
least `min_iv`; one whose coefficient comes out with the wrong sign (more evidence of good → more risk, which
happens when characteristics are collinear) is dropped and the model refitted, so every characteristic's points
keep the direction of its WoE.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credscore.modelling.binning import _SMOOTH, DirectionOrAuto, MonotoneBinning, WoEEncoder
from credscore.modelling.metrics import index_shares, quantile_edges, shares
from credscore.modelling.regression import LogisticRegression
from credscore.modelling.scaling import ScorecardScaler

FloatArray = NDArray[np.float64]

# Declared direction of each characteristic's points (the domain's expectation; "auto" lets the data decide).
DEFAULT_DIRECTIONS: dict[str, DirectionOrAuto] = {
    "age": "ascending",
    "education": "ascending",
    "positive_posts": "ascending",
    "negative_posts": "descending",
    "comments": "ascending",
    "negative_groups": "descending",
    "negative_pages": "descending",
    "interaction_frequency": "ascending",
    "images": "descending",
    "connections": "ascending",
    "skills": "ascending",
    "likes": "ascending",
    "invitations": "ascending",
}


@dataclass(frozen=True)
class FitOptions:
    scaler: ScorecardScaler = field(default_factory=ScorecardScaler)
    min_bin_share: float = 0.05
    max_prebins: int = 20
    min_iv: float = 0.02  # below this a characteristic is useless (rule of thumb) and stays out of the model
    directions: dict[str, DirectionOrAuto] = field(default_factory=lambda: dict(DEFAULT_DIRECTIONS))
    exclude: tuple[str, ...] = ()
    reference: str = "best"  # reference points for reasons: "best" bin or development "mean"
    cross_fit_folds: int = 5  # β from out-of-fold WoE (0 or 1: in-sample WoE)
    # "calibrated": a Missing bin holding at least `min_bin_share` of the sample gets its own coefficient in the
    # regression (a missing indicator beside the WoE, which is 0 for a missing value), so its points are the
    # effect of missing evidence given the other characteristics; smaller Missing bins use their WoE and β.
    # "fitted" (default): "calibrated", then never more than the development sample's mean points of the
    # applicants with evidence, as the hand-set defaults' neutral Missing bins: missing evidence is not a reward
    # (a Missing bin that predicts good outcomes does so through who withholds, which an applicant can choose).
    # "woe": every Missing bin uses its marginal WoE and the characteristic's β, which double-counts what the
    # missing source says through other characteristics (no posts ⇔ a LinkedIn-only applicant ⇒ skills present).
    # "worst_bin": "fitted", then never more than the characteristic's worst bin with evidence, so withholding a
    # source cannot raise that characteristic's points.
    missing_points: str = "fitted"
    # Heuristic shrinkage (van Houwelingen and le Cessie): every coefficient times (χ² − df) / χ², χ² the model's
    # likelihood-ratio statistic and df the log-odds estimated from the outcomes (per characteristic, its distinct
    # points less one), then the intercept refitted. A model chosen and fitted on the same outcomes spreads its
    # points wider than the odds on new applicants, by about df/χ²: 4% at 60,000 rows, 1% at 240,000.
    shrinkage: bool = True

    def without(self, *names: str) -> FitOptions:
        return replace(self, exclude=(*self.exclude, *names))


@dataclass
class Characteristic:
    name: str
    binning: MonotoneBinning
    selected: bool
    note: str  # why it is in or out of the model
    coef: float = 0.0
    coef_se: float = 0.0
    missing_coef: float | None = None  # the Missing bin's own coefficient (None: its WoE times `coef`)
    missing_coef_se: float | None = None
    # numeric bins without a slope: their WoE came out with the wrong sign beside the Missing bin's own
    # coefficient (only the Missing bin is informative), so they share one set of points
    flat: bool = False
    # with a Missing coefficient of its own, the WoE enters centred on the applicants with evidence (else the
    # WoE column is nearly (1 − missing) times a constant and β and the Missing coefficient are not separable)
    woe_centre: float = 0.0
    points: FloatArray = field(default_factory=lambda: np.zeros(0))  # numeric bins then Missing

    @property
    def direction(self) -> str:
        return self.binning.direction_


class Scorecard:
    def __init__(
        self,
        characteristics: dict[str, Characteristic],
        regression: LogisticRegression | None,
        scaler: ScorecardScaler,
        options: FitOptions,
        shrinkage: float = 1.0,
    ) -> None:
        self.characteristics = characteristics
        self.regression = regression
        self.scaler = scaler
        self.options = options
        self.shrinkage = shrinkage  # the factor the regression's coefficients were multiplied by

    @property
    def selected(self) -> list[str]:
        return [n for n, c in self.characteristics.items() if c.selected]

    @property
    def missing_terms(self) -> list[str]:
        """Selected characteristics whose Missing bin has a coefficient of its own."""
        return [n for n in self.selected if self.characteristics[n].missing_coef is not None]

    def points(self, columns: dict[str, Any]) -> dict[str, FloatArray]:
        """Points of each selected characteristic per row."""
        out = {}
        for name in self.selected:
            c = self.characteristics[name]
            out[name] = c.points[c.binning.bin_index(columns[name])]
        return out

    def score(self, columns: dict[str, Any]) -> FloatArray:
        n = len(next(iter(columns.values())))
        total = np.zeros(n)
        for values in self.points(columns).values():
            total += values
        if not self.selected:  # no characteristic: everyone sits at the population's odds
            total += self.scaler.offset
            if self.regression is not None:
                total -= self.scaler.factor * self.regression.intercept_
        return total

    def log_odds_good(self, columns: dict[str, Any]) -> FloatArray:
        """The regression's ln(good:bad odds) per row (what the score is a linear function of)."""
        assert self.regression is not None
        n = len(next(iter(columns.values())))
        woe = design_matrix(
            {
                name: self.characteristics[name].binning.transform(columns[name])
                for name in self.selected
                if not self.characteristics[name].flat
            },
            columns,
            self.missing_terms,
            n,
            {name: c.woe_centre for name, c in self.characteristics.items()},
        )
        out: FloatArray = -self.regression.decision_function(woe)
        return out

    def reference_points(self, c: Characteristic, dev_columns: dict[str, Any] | None) -> float:
        numeric = c.points[: c.binning.n_bins]
        populated = (c.binning.goods_ + c.binning.bads_)[: c.binning.n_bins] > 0
        if self.options.reference == "mean" and dev_columns is not None:
            return float(np.mean(c.points[c.binning.bin_index(dev_columns[c.name])]))
        return float(numeric[populated].max()) if populated.any() else float(c.points[-1])

    def scorecard_section(
        self, dev_columns: dict[str, Any] | None = None, y_dev: Any = None
    ) -> dict[str, Any]:
        """The shared-format `"scorecard"` object; with the development sample, its `development` part too."""
        chars: dict[str, Any] = {}
        for name, c in self.characteristics.items():
            edges = c.binning.edges_.tolist()
            uppers: list[float | None] = [*edges, None]
            chars[name] = {
                "enabled": c.selected,
                "direction": c.direction,
                "bins": [
                    {"upper": u, "points": round(float(p), 6)}
                    for u, p in zip(uppers, c.points[: c.binning.n_bins], strict=True)
                ],
                "missing_points": round(float(c.points[-1]), 6),
                "reference_points": round(self.reference_points(c, dev_columns), 6),
            }
        section: dict[str, Any] = {
            "kind": "fitted",
            "scaling": self.scaler.as_dict(),
            "characteristics": chars,
        }
        if dev_columns is not None and y_dev is not None:
            section["development"] = self.development(dev_columns, y_dev)
        return section

    def development(self, dev_columns: dict[str, Any], y_dev: Any) -> dict[str, Any]:
        score = self.score(dev_columns)
        bands = quantile_edges(score, 10)
        per_char = {}
        for name, c in self.characteristics.items():
            frac = index_shares(c.binning.bin_index(dev_columns[name]), c.binning.n_bins + 1)
            per_char[name] = {
                "bin_shares": [round(float(s), 6) for s in frac[:-1]],
                "missing_share": round(float(frac[-1]), 6),
            }
        return {
            "n": int(score.size),
            "bad_rate": round(float(np.mean(np.asarray(y_dev, dtype=np.float64))), 6),
            "score_bands": [round(float(b), 6) for b in bands],
            "score_shares": [round(float(s), 6) for s in shares(score, bands)],
            "characteristics": per_char,
        }


class ScorecardFitter:
    def __init__(self, options: FitOptions | None = None) -> None:
        self.options = options or FitOptions()

    def fit(self, columns: dict[str, Any], y: Any) -> Scorecard:
        opts = self.options
        y = np.asarray(y, dtype=np.float64)
        if y.size == 0 or y.min() == y.max():
            raise ValueError("fitting needs both good and bad outcomes")
        encoder = WoEEncoder(opts.directions, opts.min_bin_share, opts.max_prebins).fit(columns, y)
        chars: dict[str, Characteristic] = {}
        for name, binning in encoder.binnings_.items():
            if name in opts.exclude:
                note = "excluded by the fit's options"
            elif not binning.has_spread:
                note = "no spread: every applicant falls in one bin"
            elif binning.iv_ < opts.min_iv:
                note = f"information value {binning.iv_:.4f} below {opts.min_iv:g}"
            else:
                note = "in the model"
            chars[name] = Characteristic(name, binning, note == "in the model", note)
        regression = None
        separate = _separate_missing(columns, chars, opts, y.size)
        flat: set[str] = set()
        while True:
            chosen = [n for n, c in chars.items() if c.selected]
            slopes = [n for n in chosen if n not in flat]
            missing_terms = _distinct_patterns([n for n in chosen if n in separate], columns)
            oof = _out_of_fold_woe(encoder, columns, slopes, y, opts.cross_fit_folds)
            regression = LogisticRegression().fit(
                design_matrix(dict(zip(slopes, oof.T, strict=True)), columns, missing_terms, y.size), y
            )
            # WoE is "higher is better": a coefficient of bad on it must be negative (a Missing bin's own
            # coefficient has no declared sign: missing evidence can be worse or better than the average)
            wrong = [
                (regression.coef_[i] / max(regression.coef_se_[i], 1e-12), n)
                for i, n in enumerate(slopes)
                if regression.coef_[i] >= 0
            ]
            if not wrong:
                break
            _, worst = max(wrong)
            if worst in missing_terms:  # its Missing bin keeps its own coefficient; the numeric bins go flat
                flat.add(worst)
                continue
            chars[worst].selected = False
            chars[worst].note = "dropped: its coefficient had the wrong sign (collinear with others)"
        chosen = [n for n, c in chars.items() if c.selected]
        if not chosen:  # say why each is out, not that the configuration written from nothing is invalid
            reasons = "; ".join(f"{n}: {c.note}" for n, c in chars.items())
            raise ValueError(f"no characteristic enters the model: {reasons}")
        centres = woe_centres(
            {n: encoder.binnings_[n].transform(columns[n]) for n in slopes}, columns, missing_terms
        )
        shrinkage = 1.0
        if opts.shrinkage:
            shrinkage = heuristic_shrinkage(regression, y, encoder, slopes, missing_terms)
            if shrinkage <= 0.0:  # every point would be the same: refuse rather than promote a constant
                raise ValueError(
                    "the characteristics predict these outcomes no better than their estimated parameters "
                    "would by chance (likelihood-ratio χ² at or below its degrees of freedom): fit on more "
                    "outcomes or fewer characteristics"
                )
        regression.coef_ = regression.coef_ * shrinkage
        regression.coef_se_ = regression.coef_se_ * shrinkage
        if chosen and (opts.cross_fit_folds >= 2 or shrinkage != 1.0):
            # β came from out-of-fold WoE (and may be shrunk); the points apply the full-sample WoE, so re-centre
            # the intercept on it
            full = design_matrix(
                {n: encoder.binnings_[n].transform(columns[n]) for n in slopes},
                columns,
                missing_terms,
                y.size,
                centres,
            )
            regression.intercept_ = _refit_intercept(full @ regression.coef_, y)
        scaler = opts.scaler
        for name, c in chars.items():
            if c.selected:
                if name in flat:
                    c.flat, c.note = (
                        True,
                        "in the model by its Missing bin (the numeric bins' WoE had the wrong sign)",
                    )
                else:
                    i = slopes.index(name)
                    c.coef, c.coef_se = float(regression.coef_[i]), float(regression.coef_se_[i])
                c.woe_centre = centres.get(name, 0.0)
                c.points = scaler.points(
                    c.binning.woe_ - c.woe_centre, c.coef, regression.intercept_, len(chosen)
                )
                if name in missing_terms:
                    k = len(slopes) + missing_terms.index(name)
                    c.missing_coef = float(regression.coef_[k])
                    c.missing_coef_se = float(regression.coef_se_[k])
                    # the Missing bin's points: its indicator (1) times its own coefficient
                    c.points[-1] = scaler.points(
                        np.ones(1), c.missing_coef, regression.intercept_, len(chosen)
                    )[0]
            else:
                c.points = np.zeros(c.binning.n_bins + 1)
        card = Scorecard(chars, regression, scaler, opts, shrinkage)
        _check_sign(card, columns)
        if opts.missing_points == "fitted":
            for name, c in chars.items():
                idx = c.binning.bin_index(columns[name])
                evidence = idx < c.binning.n_bins
                if c.selected and evidence.any():
                    c.points[-1] = min(c.points[-1], float(c.points[idx[evidence]].mean()))
        if opts.missing_points == "worst_bin":
            for c in chars.values():
                populated = (c.binning.goods_ + c.binning.bads_)[: c.binning.n_bins] > 0
                if c.selected and populated.any():
                    c.points[-1] = min(c.points[-1], float(c.points[: c.binning.n_bins][populated].min()))
        return card


def _separate_missing(
    columns: dict[str, Any], chars: dict[str, Characteristic], opts: FitOptions, n: int
) -> set[str]:
    """Characteristics whose Missing bin gets a coefficient of its own: those holding `min_bin_share` of the
    sample (as every numeric bin must), under the "fitted" and "worst_bin" policies."""
    if opts.missing_points == "woe":
        return set()
    return {
        name
        for name in chars
        if np.count_nonzero(np.isnan(np.asarray(columns[name], dtype=np.float64)))
        >= max(1.0, opts.min_bin_share * n)
    }


def _distinct_patterns(names: list[str], columns: dict[str, Any]) -> list[str]:
    """Missing indicators, in order, leaving out one whose rows are (nearly) those of an earlier one: the
    sources behind two characteristics are often the same (education and invitations both come from LinkedIn
    and Facebook), and two indicators of the same rows get offsetting coefficients that only add up to
    something; the later characteristic's Missing bin then keeps its WoE."""
    kept: list[str] = []
    masks: list[NDArray[np.bool_]] = []
    for name in names:
        mask = np.isnan(np.asarray(columns[name], dtype=np.float64))
        if all(_phi(mask, other) < 0.95 for other in masks):
            kept.append(name)
            masks.append(mask)
    return kept


def _phi(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> float:
    """Correlation of two indicators (0 when either is constant)."""
    x, y = a.astype(np.float64), b.astype(np.float64)
    sx, sy = x.std(), y.std()
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy)) if sx > 0 and sy > 0 else 0.0


def woe_centres(
    woe: dict[str, FloatArray], columns: dict[str, Any], missing_terms: list[str]
) -> dict[str, float]:
    """Mean WoE of the rows with evidence, for each characteristic with a Missing coefficient of its own."""
    out = {}
    for name in missing_terms:
        present = ~np.isnan(np.asarray(columns[name], dtype=np.float64))
        if name in woe and present.any():
            out[name] = float(np.mean(woe[name][present]))
    return out


def design_matrix(
    woe: dict[str, FloatArray],
    columns: dict[str, Any],
    missing_terms: list[str],
    n: int,
    centres: dict[str, float] | None = None,
) -> FloatArray:
    """The regression's design: one WoE column per characteristic (in `woe`'s order), then one missing
    indicator per name in `missing_terms`, whose WoE column is centred on the rows with evidence (`centres`,
    else these rows' own mean) and 0 where the value is missing (the indicator carries the Missing bin)."""
    centres = woe_centres(woe, columns, missing_terms) if centres is None else centres
    out = np.zeros((n, len(woe) + len(missing_terms)))
    for j, (name, w) in enumerate(woe.items()):
        out[:, j] = w - (centres.get(name, 0.0) if name in missing_terms else 0.0)
    names = list(woe)
    for k, name in enumerate(missing_terms):
        missing = np.isnan(np.asarray(columns[name], dtype=np.float64))
        if name in woe:
            out[missing, names.index(name)] = 0.0
        out[:, len(woe) + k] = missing
    return out


def _out_of_fold_woe(
    encoder: WoEEncoder, columns: dict[str, Any], chosen: list[str], y: FloatArray, folds: int
) -> FloatArray:
    """The WoE-coded design with each row's WoE computed without its own fold's outcomes (the bins are the
    full sample's). In-sample WoE has its noise fitted to the same outcomes, so a regression on it over-trusts
    it and the score's spread comes out too wide on new applicants; out-of-fold WoE lets β see only the part
    of the WoE that predicts outcomes it was not estimated from."""
    if folds < 2 or not chosen:
        return encoder.transform(columns, chosen) if chosen else np.zeros((y.size, 0))
    fold = np.random.default_rng(0).permutation(y.size) % folds
    out = np.empty((y.size, len(chosen)))
    for j, name in enumerate(chosen):
        binning = encoder.binnings_[name]
        size = binning.n_bins + 1
        idx = binning.bin_index(columns[name])
        cell = fold * size + idx
        bads = np.bincount(cell, weights=y, minlength=folds * size).reshape(folds, size)
        goods = np.bincount(cell, minlength=folds * size).reshape(folds, size) - bads
        bads_out = bads.sum(axis=0) - bads  # every fold's counts from the other folds
        goods_out = goods.sum(axis=0) - goods
        share_g = (goods_out + _SMOOTH) / (goods_out.sum(axis=1, keepdims=True) + _SMOOTH)
        share_b = (bads_out + _SMOOTH) / (bads_out.sum(axis=1, keepdims=True) + _SMOOTH)
        woe = np.where(goods_out + bads_out > 0, np.log(share_g / share_b), 0.0)
        out[:, j] = woe[fold, idx]
    return out


def heuristic_shrinkage(
    regression: LogisticRegression,
    y: FloatArray,
    encoder: WoEEncoder,
    slopes: list[str],
    missing_terms: list[str],
) -> float:
    """(χ² − df) / χ², within [0, 1]; 0 when the model is no better than the intercept alone. χ² = 2·(log-
    likelihood of the model − of the intercept alone); df = the log-odds the outcomes were used to estimate
    beyond the intercept: a characteristic with a slope sets one per bin (its numeric bins' WoE, and its Missing
    bin's WoE or own coefficient where it has missing values) less one; a flat one only its Missing coefficient.
    That is the number of distinct points the characteristic can give, less one."""
    df = 0
    for name in slopes:
        binning = encoder.binnings_[name]
        has_missing = binning.missing_goods_ + binning.missing_bads_ > 0
        df += binning.n_bins - 1 + int(has_missing)
    df += sum(1 for name in missing_terms if name not in slopes)
    mean = float(np.clip(np.mean(y), 1e-12, 1 - 1e-12))
    null = float(y.size * (mean * np.log(mean) + (1 - mean) * np.log(1 - mean)))
    chi2 = 2.0 * (regression.loglik_ - null)
    return float(np.clip((chi2 - df) / chi2, 0.0, 1.0)) if chi2 > 0 else 0.0


def _refit_intercept(offset: FloatArray, y: FloatArray) -> float:
    """The intercept that makes the mean predicted bad rate equal the observed one, the slopes fixed."""
    b0 = float(np.log(y.mean() / (1 - y.mean())) - offset.mean())
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(b0 + offset, -35, 35)))
        step = float(np.sum(y - p) / max(np.sum(p * (1 - p)), 1e-12))
        b0 += step
        if abs(step) < 1e-12:
            break
    return b0


def _check_sign(card: Scorecard, columns: dict[str, Any]) -> None:
    """The points add up to offset + factor·ln(good:bad odds) of the regression: more points, better odds."""
    if not card.selected:
        return
    sample = {k: np.asarray(v)[:1000] for k, v in columns.items()}
    expected = card.scaler.score_from_log_odds(card.log_odds_good(sample))
    if not np.allclose(card.score(sample), expected, atol=1e-6):
        raise AssertionError("points do not add up to the scaled log-odds of good")
