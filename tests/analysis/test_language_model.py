"""The language layer ships py3langid's model decompressed (the build does it once, not every cold start): the
identifier loaded from that copy is py3langid's own, array for array, and classifies the same."""

from __future__ import annotations

import shutil
from array import array
from pathlib import Path

import numpy as np
import pytest
from py3langid import langid

from credscore.analysis import language

TEXTS = [
    "What a lovely day at the beach with friends",
    "Hola amigos, ¿cómo están? Nos vemos mañana",
    "Bonjour à tous, merci pour la soirée",
    "यह एक अच्छा दिन है",
    "yaar kal movie dekhne chalte hain",
    "",
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A py3langid package folder as the layer build leaves it: the shipped model and its decompressed copy."""
    folder = tmp_path_factory.mktemp("py3langid")
    (folder / "data").mkdir()
    shutil.copy(langid.MODEL_DIR / langid.MODEL_FILE, folder / langid.MODEL_FILE)
    plain = language.decompress_model(folder)
    assert plain == folder / language.PLAIN_MODEL
    return folder


def test_the_plain_copy_loads_the_same_identifier(package: Path) -> None:
    shipped = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    plain = language.load_plain_model(package / language.PLAIN_MODEL)
    assert np.array_equal(plain.nb_ptc, shipped.nb_ptc)
    assert plain.nb_ptc.dtype == shipped.nb_ptc.dtype
    assert np.array_equal(plain.nb_pc, shipped.nb_pc)
    assert plain.nb_classes == shipped.nb_classes
    for name in ("tk_nextmove", "tk_row"):
        ours, theirs = getattr(plain, name), getattr(shipped, name)
        assert isinstance(ours, array)
        assert (ours.typecode, ours.tobytes()) == (theirs.typecode, theirs.tobytes()), name
    assert plain.tk_output == shipped.tk_output
    for text in TEXTS:
        assert plain.classify(text) == shipped.classify(text), text


def test_the_identifier_prefers_the_plain_copy_when_the_layer_has_it(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[Path] = []
    real = language.load_plain_model

    def spy(path: Path) -> langid.LanguageIdentifier:
        loaded.append(path)
        return real(path)

    monkeypatch.setattr(langid, "MODEL_DIR", package)
    monkeypatch.setattr(language, "load_plain_model", spy)
    language.identifier.cache_clear()
    try:
        assert language.identifier().classify(TEXTS[0])[0] == "en"
        assert loaded == [package / language.PLAIN_MODEL]
        language.identifier.cache_clear()
        (package / language.PLAIN_MODEL).rename(package / "moved.npz")  # a development install: no copy
        language.identifier()
        assert loaded == [package / language.PLAIN_MODEL], "py3langid's own loader, not the copy"
    finally:
        language.identifier.cache_clear()
        if (package / "moved.npz").exists():
            (package / "moved.npz").rename(package / language.PLAIN_MODEL)
