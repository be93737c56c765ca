"""Rules of domain.text: Vietnamese normal form and accent-insensitive matching."""

from __future__ import annotations

import unicodedata

import pytest

from domain.text import fold, matches, normalise


def test_fold_removes_accents_and_case() -> None:
    """Accents, case and `Đ` are folded away."""
    assert fold("Kiến nghị Đồng") == "kien nghi dong"


@pytest.mark.parametrize(("text", "folded"), [("đ", "d"), ("Đ", "d"), ("Đỗ đạt", "do dat")])
def test_fold_maps_d_with_stroke(text: str, folded: str) -> None:
    """`đ` and `Đ` are letters of their own and are mapped to `d` explicitly."""
    assert fold(text) == folded


def test_fold_collapses_white_space() -> None:
    """Runs of white space become one space, and the ends are trimmed."""
    assert fold("  Sở \t Y   tế\n") == "so y te"


def test_fold_is_the_same_for_nfc_and_nfd() -> None:
    """A decomposed input folds to the same form as a composed one."""
    text = "Phụ cấp Đồng bào"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "phu cap dong bao"


def test_normalise_turns_nfd_into_nfc() -> None:
    """NFD input equals the NFC text after normalise, and surrounding space is removed."""
    nfc = unicodedata.normalize("NFC", "Kiến nghị")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert normalise(f"  {nfd} \n") == nfc
    assert normalise(nfc) == nfc


def test_matches_ignores_accents() -> None:
    """An unaccented query finds accented text."""
    assert matches("kien nghi", "Sở sẽ kiến nghị")


def test_matches_ignores_word_order() -> None:
    """Every query word must occur, in any order."""
    assert matches("nghi kien", "Sở sẽ kiến nghị")
    assert matches("SỞ KIẾN", "Sở sẽ kiến nghị")


def test_matches_needs_every_word() -> None:
    """One missing word means no match."""
    assert not matches("kien nghi bo", "Sở sẽ kiến nghị")
    assert not matches("phu cap", "Sở sẽ kiến nghị")


def test_a_query_word_must_begin_a_word_of_the_text() -> None:
    """Vietnamese syllables are short; matching inside them finds noise."""
    assert not matches("an", "Ông Đỗ Thanh Vân")
    assert matches("than", "Ông Đỗ Thanh Vân")
