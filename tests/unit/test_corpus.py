"""The extraction corpus stays what it claims to be: every label quotes its
text exactly (a label that drifted from its text would score nothing), and
every text names where it was published."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
SHAPES = ("liveblog", "narrative", "interpellation", "voters_meeting", "written_reply",
          "petition_table", "resolution", "directives")
TEXTS = sorted(p for shape in SHAPES for p in (CORPUS / shape).glob("*.txt"))


def test_every_shape_has_at_least_three_texts() -> None:
    for shape in SHAPES:
        assert len(list((CORPUS / shape).glob("*.txt"))) >= 3, shape


@pytest.mark.parametrize("text_path", TEXTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_label_quotes_its_text_and_the_text_names_its_source(text_path: Path) -> None:
    text = text_path.read_text(encoding="utf-8")
    gold = json.loads(text_path.with_suffix(".gold.json").read_text(encoding="utf-8"))
    assert gold["source"] == text_path.name
    assert gold["shape"] == text_path.parent.name
    assert re.match(r"https?://", gold["url"])
    quoted = [q["starts"] for q in gold["questions"]]
    quoted += [p["quote"] for p in gold["promises"]]
    quoted += [p["due_words"] for p in gold["promises"] if p.get("due_words")]
    quoted += [n["quote"] for n in gold["not_promises"]]
    missing = [q for q in quoted if q not in text]
    assert not missing, missing
    for promise in gold["promises"]:
        assert promise["owner"].strip(), promise
    sources = (text_path.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert text_path.name in sources and gold["url"] in sources
