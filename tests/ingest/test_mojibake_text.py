"""Meta's mojibake repaired in the JSON source text (before decoding), checked against the per-string repair."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from credscore.ingest.mojibake import repair_json_text, repair_mojibake, repair_tree
from credscore.synth import mojibake

# Characters that make the escapes tricky: backslashes and text that looks like an escape, plus real non-ASCII
# text of every UTF-8 length.
TRICKY = st.text(
    alphabet=st.sampled_from(list('\\u00c3a9"\n é日😀ß€\x7f\x85')) | st.characters(exclude_categories=["Cs"]),
    max_size=30,
)
DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=12,
)


def meta_tree(value: Any) -> Any:
    if isinstance(value, str):
        return mojibake(value)
    if isinstance(value, list):
        return [meta_tree(v) for v in value]
    if isinstance(value, dict):
        return {mojibake(k): meta_tree(v) for k, v in value.items()}
    return value


@given(DOCUMENTS, st.booleans())
def test_meta_escaped_documents_come_back_exactly(document: Any, ascii_only: bool) -> None:
    source = json.dumps(meta_tree(document), ensure_ascii=ascii_only)
    assert json.loads(repair_json_text(source)) == document


@given(DOCUMENTS)
def test_text_repair_agrees_with_the_per_string_repair_on_meta_files(document: Any) -> None:
    source = json.dumps(meta_tree(document))
    assert json.loads(repair_json_text(source)) == repair_tree(json.loads(source))


@given(DOCUMENTS.filter(lambda d: not any(0x80 <= ord(c) <= 0xFF for c in json.dumps(d, ensure_ascii=False))))
def test_documents_without_latin1_range_characters_are_left_alone(document: Any) -> None:
    for ascii_only in (True, False):
        source = json.dumps(document, ensure_ascii=ascii_only)
        assert repair_json_text(source) == source


@given(st.text(max_size=200))
def test_any_text_is_accepted_and_valid_json_stays_valid(text: str) -> None:
    repaired = repair_json_text(text)
    assert isinstance(repaired, str)
    encoded = json.dumps(text)
    assert json.loads(repair_json_text(encoded)) == repair_mojibake_runs(text)


def repair_mojibake_runs(text: str) -> str:
    """Reference: repair each maximal run of U+0080–U+00FF characters on its own."""
    out, run = [], ""
    for char in text + "\0":
        if 0x80 <= ord(char) <= 0xFF:
            run += char
            continue
        out.append(repair_mojibake(run) if run else "")
        run = ""
        out.append(char)
    return "".join(out)[:-1]


def test_examples() -> None:
    assert json.loads(repair_json_text('{"a": "caf\\u00c3\\u00a9"}')) == {"a": "café"}
    # an escaped backslash followed by text that merely looks like an escape stays as it was
    assert json.loads(repair_json_text('["\\\\u00c3\\u00a9"]')) == ["\\u00c3©"]
    assert json.loads(repair_json_text('["\\\\\\u00c3\\u00a9"]')) == ["\\é"]
    assert json.loads(repair_json_text('["\\u00e9"]')) == ["é"]  # a lone real é is not UTF-8: left alone
    assert json.loads(repair_json_text('{"Do\\u00c4\\u009fum": 1}')) == {"Doğum": 1}
    assert repair_json_text("Ã©") == "é"
