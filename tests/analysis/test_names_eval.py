"""Profanity of names on the labelled set: traps (places, brands, support groups, honours, idioms) stay clean,
English, Hinglish and Devanagari profanity is caught; names in other scripts are not analysed."""

from __future__ import annotations

from collections import Counter

import pytest

from credscore.analysis.profanity import count_names, is_profane_name, name_verdict
from credscore.coverage import names_coverage
from credscore.evidence import AnalysisStatus, ProfanityAnalysis

from .names_eval import evaluate, labelled_names

PRECISION_GOAL = 0.95
RECALL_GOAL = 0.90


def test_the_set_is_large_with_traps_and_both_scripts() -> None:
    rows = labelled_names()
    categories = Counter(r.category for r in rows)
    assert len(rows) >= 400
    assert sum(r.profane for r in rows) >= 100
    for category in ("trap-place", "trap-brand", "trap-support", "trap-honour", "trap-idiom", "devanagari",
                     "slur-hinglish", "slur-devanagari"):  # fmt: skip
        assert categories[category] >= 4, category
    assert len({r.name.casefold() for r in rows}) == len(rows)


def test_held_out_precision_and_recall_meet_the_goal() -> None:
    held = [r for r in labelled_names() if r.held_out]
    assert len(held) >= 100
    scores = evaluate(held, is_profane_name)
    assert scores.precision >= PRECISION_GOAL, scores.false_positives
    assert scores.recall >= RECALL_GOAL, scores.false_negatives


def test_whole_set_precision_and_recall_meet_the_goal() -> None:
    scores = evaluate(labelled_names(), is_profane_name)
    assert scores.precision >= PRECISION_GOAL, scores.false_positives
    assert scores.recall >= RECALL_GOAL, scores.false_negatives


@pytest.mark.parametrize(
    "name",
    ["Heroin Addiction Recovery", "Magna Cum Laude Society", "Weed Out Corruption", "Coon Rapids Minnesota",
     "Dildo, Newfoundland", "Knob Creek bourbon", "Spic and Span cleaning", "Essex Cocks cricket",
     "गांधी विचार मंच", "Gandhinagar Residents", "Chutney Lovers", "Wankhede Stadium Tours"],
)  # fmt: skip
def test_the_issue_traps_are_clean(name: str) -> None:
    assert not is_profane_name(name)


@pytest.mark.parametrize(
    "name",
    ["Shitposting Central", "Chutiya Memes", "चूतिया मीम्स", "Bhenchod Brigade", "भोसड़ीके मीम्स",
     "Heroin Dealers", "Weed for Sale", "Fuck Cricket"],
)  # fmt: skip
def test_profanity_in_both_scripts_is_caught(name: str) -> None:
    assert is_profane_name(name)


def test_context_rules_do_not_excuse_slurs() -> None:
    assert is_profane_name("Faggots Recovery Support")
    assert is_profane_name("Cunt Cricket Club")


def test_both_nukta_spellings_match() -> None:
    composed, decomposed = "भोसड़ीके", "भोसड\u093cीके"  # ड़ as one code point and as ड + nukta
    assert is_profane_name(composed)
    assert is_profane_name(decomposed)


def test_names_in_other_scripts_are_not_analysed_nor_clean() -> None:
    assert name_verdict("சென்னை புகைப்பட கழகம்") is None
    assert name_verdict("Chennai சென்னை Fuck") is True  # what can be read already flags
    assert name_verdict("Café Coffee Day") is False
    counts = count_names(["சென்னை புகைப்பட கழகம்", "বাংলা কবিতা", "Mumbai Runners", "Shit Happens"])
    assert (counts.total, counts.not_analysed, counts.analysed, counts.flagged) == (4, 2, 2, 1)
    assert counts.not_analysed_scripts == {"BENGALI": 1, "TAMIL": 1}
    coverage = names_coverage(ProfanityAnalysis(status=AnalysisStatus.OK, groups=counts))
    assert (coverage.found, coverage.analysed, coverage.not_analysed_reasons) == (4, 2, {"language": 2})
    assert "1 in Bengali script, 1 in Tamil script" in coverage.summary
