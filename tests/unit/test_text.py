"""Rules of domain.text: Vietnamese normal form, what text may hold, and
accent-insensitive matching."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.text import fault, fold, matches, normalise

# Written out here, apart from the rule's own pattern: C0 controls other than
# tab and newline, the bidirectional overrides and isolates, lone surrogates.
FORBIDDEN = ({chr(c) for c in range(0x20)} - {"\t", "\n"}) | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") | {
    chr(c) for c in range(0xD800, 0xE000)}


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


def test_normalise_makes_every_line_break_a_newline() -> None:
    """A textarea's `\\r\\n` and an old file's `\\r` are stored as `\\n`."""
    assert normalise("Dòng một\r\nDòng hai\rDòng ba\n") == "Dòng một\nDòng hai\nDòng ba"


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x0c", "\r", "\x1b", "\x1f",
                                       "\u202a", "\u202e", "\u2066", "\u2069", "\ud800",
                                       "\udfff"])
def test_a_forbidden_character_is_found_where_it_is(character: str) -> None:
    """The fault names the character and its line and column, 1-based."""
    found = fault(f"Sở Y tế\ntiếp {character}thu")
    assert found is not None
    assert (found.character, found.line, found.column) == (character, 2, 6)
    assert found.code == f"U+{ord(character):04X}"
    assert found.code in str(found) and "line 2, character 6" in str(found)


@pytest.mark.parametrize("text", ["Kiến nghị\tvề phụ cấp\nđến 31/12", "",
                                  "😀 \u200e\u200f\ufeff\u2028", "\x7f", "\u200b"])
def test_ordinary_text_has_no_fault(text: str) -> None:
    """Tab, newline, emoji, marks and other format characters are text."""
    assert fault(text) is None


@settings(derandomize=True, max_examples=500)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
       | st.lists(st.sampled_from(sorted(FORBIDDEN)) | st.characters(max_codepoint=0x3000),
                  max_size=20).map("".join))
def test_a_text_without_fault_is_storable(text: str) -> None:
    """A fault is found exactly when a forbidden character is there, and it is
    the first one; what passes encodes as UTF-8 and holds no NUL, so a text
    column of PostgreSQL takes it."""
    found = fault(text)
    present = [i for i, ch in enumerate(text) if ch in FORBIDDEN]
    assert (found is None) == (not present)
    if found is None:
        assert "\x00" not in text
        text.encode("utf-8")
    else:
        lines = text.split("\n")
        assert lines[found.line - 1][found.column - 1] == found.character == text[present[0]]
        assert sum(len(line) + 1 for line in lines[: found.line - 1]) + found.column - 1 \
            == present[0]


@settings(derandomize=True, max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_normalise_leaves_no_carriage_return(text: str) -> None:
    """After normalise, a carriage return is never what a text is refused for."""
    assert "\r" not in normalise(text)
