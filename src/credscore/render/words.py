"""Numbers and values in the words every rendering of a result uses (console text and HTML alike)."""

from __future__ import annotations

NO_SCORE = {
    "ineligible": "the applicant is outside the eligibility rules",
    "insufficient_evidence": "too few features had evidence for a score",
}


def fmt(number: float | None, digits: int = 1) -> str:
    """A number with fixed decimals; "–" when there is none."""
    return "–" if number is None else f"{number:.{digits}f}"


def bound(number: float | None) -> str:
    """An end of the score's range, without needless decimals; "?" when unknown."""
    return "?" if number is None else f"{number:g}"


def fmt_value(value: bool | int | float | str | None) -> str:
    """A feature's measured value: floats compactly, integers whole, booleans as yes/no, text as it is."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
