"""How well the transcript importer reads the texts people actually have.

Runs the parser over every text of the corpus (tests/fixtures/corpus/<shape>/,
real published texts with hand labels; see its SOURCES.md) and prints, per
shape and overall, the figures issue 16 sets targets for:

  questions R / P   gold questions found (by the first words of their text) /
                    found questions that are gold
  askers            of the gold questions found, those with the right asker
  links             gold answer->question links found (responder, asker)
  responders        gold answers whose responder was found
  promises R        gold promises with a candidate that contains their quote
  owner             of those, the candidates with the right owner
  deadlines         of those with a stated deadline, the date caught
  cand. P           candidates that are a gold promise
  done taken        sentences about things already done taken as promises
                    (the target is 0)
  refused           texts with something in their label for which the parser
                    found nothing at all (the importer refuses those whole)

Figures are micro-averaged over the items of each shape (a text with many
promises weighs more). Targets: questions R >= 0.9, promises R >= 0.85 with
owner >= 0.85, deadlines >= 0.8, cand. P >= 0.7, done taken = 0.

    python bench/extraction.py            # every shape
    python bench/extraction.py --shape resolution --show
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.text import fold
from service.transcript import Transcript, parse

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus"
SHAPES = ("liveblog", "narrative", "interpellation", "voters_meeting", "written_reply",
          "petition_table", "resolution", "directives")
# The day a text without a date is read on: deadlines it states carry their year.
UNDATED = date(2020, 1, 1)


@dataclass
class Tally:
    """Hits and totals of each figure, added up over texts."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    refused: int = 0
    texts: int = 0

    def add(self, name: str, hits: int, total: int) -> None:
        pair = self.counts.setdefault(name, [0, 0])
        pair[0] += hits
        pair[1] += total

    def merge(self, other: Tally) -> None:
        for name, (hits, total) in other.counts.items():
            self.add(name, hits, total)
        self.refused += other.refused
        self.texts += other.texts

    def ratio(self, name: str) -> str:
        hits, total = self.counts.get(name, [0, 0])
        return f"{hits / total:5.2f}" if total else "   - "

    def hits(self, name: str) -> int:
        return self.counts.get(name, [0, 0])[0]


def _matches(gold: str, found: Iterable[str]) -> bool:
    wanted = fold(gold)
    return any(wanted in fold(f) or (fold(f) and fold(f) in wanted) for f in found)


def score(transcript: Transcript, gold: dict[str, Any]) -> Tally:
    tally = Tally(texts=1)
    questions = transcript.questions
    matched_q = [(g, next((q for q in questions if fold(q.text).startswith(fold(g["starts"]))
                           or fold(g["starts"]) in fold(q.text)), None))
                 for g in gold["questions"]]
    found_q = [q for _, q in matched_q if q is not None]
    tally.add("questions_r", len(found_q), len(gold["questions"]))
    tally.add("questions_p", len({q.key for q in found_q}), len(questions))
    tally.add("askers", sum(1 for g, q in matched_q if q is not None
                            and _matches(g["asker"], [q.asker.name, q.asker.organisation])),
              len(found_q))
    by_key = {q.key: q for q in questions}
    found_links = [(a.responder.name, by_key[k].asker.name) for a in transcript.answers
                   for k in a.question_keys if k in by_key]
    gold_links = [(a["responder"], asker) for a in gold["answers"] for asker in a["askers"]]
    tally.add("links", sum(1 for r, s in gold_links if any(
        _matches(r, [fr]) and _matches(s, [fs]) for fr, fs in found_links)), len(gold_links))
    tally.add("responders", sum(1 for a in gold["answers"] if _matches(
        a["responder"], [x.responder.name or x.responder.agency for x in transcript.answers])),
        len(gold["answers"]))

    free = list(transcript.candidates)
    matched: list[tuple[dict[str, Any], Any]] = []
    for promise in gold["promises"]:
        for candidate in free:
            if fold(promise["quote"]) in fold(candidate.quote):
                matched.append((promise, candidate))
                free.remove(candidate)
                break
    tally.add("promises_r", len(matched), len(gold["promises"]))
    tally.add("owner", sum(1 for p, c in matched if _matches(p["owner"], [c.owner])),
              len(matched))
    dated = [(p, c) for p, c in matched if p.get("due")]
    tally.add("deadlines", sum(1 for p, c in dated
                               if c.due_on == date.fromisoformat(p["due"])), len(dated))
    tally.add("candidates_p", len(matched), len(transcript.candidates))
    done = [n for n in gold["not_promises"] if "already done" in n["why"]]
    taken = sum(1 for n in done if any(fold(n["quote"]) in fold(c.quote)
                                       for c in transcript.candidates))
    tally.add("done_taken", taken, len(done))
    labelled = gold["questions"] or gold["answers"] or gold["promises"]
    if labelled and not (transcript.questions or transcript.answers or transcript.candidates):
        tally.refused = 1
    return tally


def reading_day(gold: dict[str, Any]) -> date:
    """The day a text is read on: its label's date, or UNDATED."""
    return date.fromisoformat(gold["held_on"]) if gold.get("held_on") else UNDATED


def texts(shapes: Sequence[str]) -> Iterable[tuple[str, Path, dict[str, Any]]]:
    for shape in shapes:
        for path in sorted((CORPUS / shape).glob("*.txt")):
            gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
            yield shape, path, gold


COLUMNS = (("questions R", "questions_r"), ("P", "questions_p"), ("askers", "askers"),
           ("links", "links"), ("responders", "responders"), ("promises R", "promises_r"),
           ("owner", "owner"), ("deadlines", "deadlines"), ("cand. P", "candidates_p"))


def table(rows: list[tuple[str, Tally]]) -> str:
    head = (f"{'shape':<16}{'texts':>6}"
            + "".join(f"{label:>12}" for label, _ in COLUMNS)
            + f"{'done taken':>12}{'refused':>9}")
    lines = [head, "-" * len(head)]
    for name, tally in rows:
        lines.append(f"{name:<16}{tally.texts:>6}"
                     + "".join(f"{tally.ratio(key):>12}" for _, key in COLUMNS)
                     + f"{tally.hits('done_taken'):>12}{tally.refused:>9}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", action="append", choices=SHAPES,
                        help="only this shape (repeatable; default every shape)")
    parser.add_argument("--show", action="store_true",
                        help="print each text's figures and what the parser found")
    args = parser.parse_args(argv)
    shapes = args.shape or SHAPES
    per_shape = {shape: Tally() for shape in shapes}
    for shape, path, gold in texts(shapes):
        transcript = parse(path.read_text(encoding="utf-8"), reading_day(gold))
        tally = score(transcript, gold)
        per_shape[shape].merge(tally)
        if args.show:
            print(f"\n{shape}/{path.stem}: {len(transcript.questions)} questions, "
                  f"{len(transcript.answers)} answers, {len(transcript.candidates)} candidates")
            for candidate in transcript.candidates:
                print(f"  [{candidate.owner}] {candidate.quote[:100]}")
    overall = Tally()
    for tally in per_shape.values():
        overall.merge(tally)
    print(table([*per_shape.items(), ("overall", overall)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
