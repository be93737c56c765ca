"""People and organisations: the importer's rules against a Vietnamese NER toolkit.

Over every text of the corpus (tests/fixtures/corpus/<shape>/*.txt with its
hand label <name>.gold.json; see its SOURCES.md) this compares two ways of
finding the people and organisations the labels name:

  rules     what `service.transcript.parse` returns: its askers' and
            responders' name, organisation and agency, and its candidates'
            owners
  ner       underthesea's CRF `ner()` (shipped in its wheel), line by line and
            sentence by sentence: PER and ORG entities
  ner+LOC   the same and its LOC entities (the 2017 CRF model tags most
            organisations, "Công ty ...", "huyện Gia Lâm", as LOC and hardly
            ever says ORG)
  ner+Np    ner+LOC and every proper-noun word (POS Np) of two to five
            capitalised syllables: underthesea's word segmentation
            (`word_tokenize`, which `ner` runs first) keeps a full name in one
            word, "Trần Sỹ Thanh", even where the NER tags run it into a place
  words     `word_tokenize` alone (no POS, no NER), line by line: its words
            of two to five capitalised syllables
  caps      no toolkit, a reference: every run of two to five capitalised
            words (a regular expression)

Gold persons are the labelled askers of kind "person" and the responders that
are written as a personal name (every word capitalised, not the agency
itself); gold organisations are the askers' organisations, the answering
agencies and the promises' owners, each counted once per text. A found string
matches a gold one when, accent- and case-insensitively (`domain.text.fold`,
punctuation as spaces), either contains the other as whole words. Every found
string counts, whatever type it was found as.

  persons / orgs   gold persons / organisations found (recall, micro-averaged)
  covers / exact   the same counting only a found string that contains the
                   whole gold one / that equals it (the rule above also lets
                   a fragment count: "Ủy" for "Ủy ban nhân dân tỉnh")
  spurious         distinct found strings per text that match nothing the
                   label names (its persons, organisations, askers,
                   responders, chair): an upper bound of the noise, since a
                   label does not list everyone a text mentions
  ms/text, KB/s    run time per text (the models already loaded), and
                   the text read per second

Then, for the toolkit: its import time, the time to load its models (the first
call), the resident size after loading them against the importer alone, and
the size it installs. Any network connection it attempts is refused and
reported (its CRF models ship in the wheel: none should be attempted).

underthesea is not a dependency of the project; measure it from a venv of its
own:

    python3 -m venv /tmp/ner-venv && /tmp/ner-venv/bin/pip install -e . underthesea
    /tmp/ner-venv/bin/python bench/names.py [--shape narrative] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The corpus and how it is read: the extraction benchmark's.
from extraction import SHAPES, UNDATED, reading_day, texts

from domain.text import fold
from service.transcript import parse

INSTALL = ("underthesea is not installed here: python3 -m venv /tmp/ner-venv && "
           "/tmp/ner-venv/bin/pip install -e . underthesea, then run this with "
           "/tmp/ner-venv/bin/python")

Finder = Callable[[str, date], set[str]]
NETWORK_ATTEMPTS: list[str] = []


def _refuse_network() -> None:
    """Refuse (and record) every outgoing connection from here on."""

    def refused(sock: socket.socket, address: Any) -> None:
        NETWORK_ATTEMPTS.append(repr(address))
        raise OSError(f"bench/names.py: network refused ({address!r})")

    socket.socket.connect = refused  # type: ignore[method-assign,assignment]


def key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form, words joined by one space."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def matches(gold: str, found: Iterable[str]) -> bool:
    wanted = f" {key(gold)} "
    return any(f" {k} " in wanted or wanted in f" {k} " for k in map(key, found) if k)


def covers(gold: str, found: Iterable[str]) -> bool:
    wanted = f" {key(gold)} "
    return any(wanted in f" {k} " for k in map(key, found) if k)


def is_name(text: str) -> bool:
    """A personal name as written: two to five words, each capitalised."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() and w[0].isalpha() for w in words)


@dataclass
class Gold:
    persons: list[str]
    orgs: list[str]
    known: list[str]  # everything the label names, for the spurious count


def gold_of(label: dict[str, Any]) -> Gold:
    def unique(items: Iterable[str]) -> list[str]:
        seen: dict[str, str] = {}
        for item in items:
            if key(item):
                seen.setdefault(key(item), item)
        return list(seen.values())

    questions, answers = label["questions"], label["answers"]
    persons = unique([q["asker"] for q in questions
                      if q["asker_kind"] == "person" and is_name(q["asker"])]
                     + [a["responder"] for a in answers
                        if is_name(a["responder"]) and key(a["responder"]) != key(a["agency"])])
    orgs = unique([q["organisation"] for q in questions] + [a["agency"] for a in answers]
                  + [p["owner"] for p in label["promises"]])
    chair = label.get("chair") or {}
    known = unique([*persons, *orgs, *(q["asker"] for q in questions),
                    *(a["responder"] for a in answers),
                    chair.get("name", ""), chair.get("agency", "")])
    return Gold(persons, orgs, known)


def rules(text: str, held_on: date) -> set[str]:
    transcript = parse(text, held_on)
    speakers = [q.asker for q in transcript.questions] + [a.responder for a in transcript.answers]
    found = {s for sp in speakers for s in (sp.name, sp.organisation, sp.agency)}
    found |= {c.owner for c in transcript.candidates}
    return {f for f in found if key(f)}


_WORD = re.compile(r"[^\W\d_]+")


def caps(text: str, held_on: date) -> set[str]:
    """Runs of two to five capitalised words, only spaces between them."""
    found: set[str] = set()
    for line in text.splitlines():
        run: list[str] = []
        end = 0
        for m in _WORD.finditer(line):
            word = m.group()
            if run and word[0].isupper() and line[end:m.start()].isspace():
                run.append(word)
            else:
                if 2 <= len(run) <= 5:
                    found.add(" ".join(run))
                run = [word] if word[0].isupper() else []
            end = m.end()
        if 2 <= len(run) <= 5:
            found.add(" ".join(run))
    return found


def _spans(tagged: list[tuple[str, str, str, str]], kinds: set[str]) -> list[str]:
    """Entity strings from one sentence's (word, pos, chunk, BIO tag) tuples."""
    spans: list[str] = []
    current: list[str] = []
    current_kind = ""
    for word, _pos, _chunk, tag in tagged:
        prefix, _, kind = tag.partition("-")
        if prefix == "I" and kind == current_kind and current:
            current.append(word)
            continue
        if current and current_kind in kinds:
            spans.append(" ".join(current))
        current, current_kind = ([word], kind) if prefix in ("B", "I") else ([], "")
    if current and current_kind in kinds:
        spans.append(" ".join(current))
    return spans


def toolkit() -> dict[str, Finder] | None:
    """The underthesea finders, or None when it is not installed."""
    try:
        from underthesea import (
            ner,
            sent_tokenize,
            word_tokenize,
        )
    except ImportError:
        return None

    def sentences(text: str) -> Iterable[list[tuple[str, str, str, str]]]:
        for line in text.splitlines():
            for sentence in sent_tokenize(line) if line.strip() else ():
                yield ner(sentence)

    def finder(kinds: set[str], proper_nouns: bool) -> Finder:
        def find(text: str, held_on: date) -> set[str]:
            found: set[str] = set()
            for tagged in sentences(text):
                found.update(_spans(tagged, kinds))
                if proper_nouns:
                    found.update(w for w, pos, _, _ in tagged if pos == "Np" and is_name(w))
            return found
        return find

    def words(text: str, held_on: date) -> set[str]:
        return {w for line in text.splitlines() if line.strip()
                for w in word_tokenize(line) if is_name(w)}

    return {"ner": finder({"PER", "ORG"}, False),
            "ner+LOC": finder({"PER", "ORG", "LOC"}, False),
            "ner+Np": finder({"PER", "ORG", "LOC"}, True),
            "words": words}


@dataclass
class Tally:
    texts: int = 0
    size: int = 0  # bytes of text read
    counts: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name: str, hits: int, total: int) -> None:
        pair = self.counts.setdefault(name, [0, 0])
        pair[0] += hits
        pair[1] += total

    def merge(self, other: Tally) -> None:
        self.texts += other.texts
        self.size += other.size
        self.seconds += other.seconds
        for name, (hits, total) in other.counts.items():
            self.add(name, hits, total)

    def ratio(self, name: str) -> str:
        hits, total = self.counts.get(name, [0, 0])
        return f"{hits / total:.2f}" if total else "-"

    def fraction(self, name: str) -> str:
        hits, total = self.counts.get(name, [0, 0])
        return f"{hits}/{total}"


def score(found: set[str], gold: Gold, seconds: float, size: int) -> Tally:
    tally = Tally(texts=1, seconds=seconds, size=size)
    exact = {key(f) for f in found}
    for name, items in (("persons", gold.persons), ("orgs", gold.orgs)):
        tally.add(name, sum(matches(g, found) for g in items), len(items))
        tally.add(f"{name}_covers", sum(covers(g, found) for g in items), len(items))
        tally.add(f"{name}_exact", sum(key(g) in exact for g in items), len(items))
    spurious = {key(f) for f in found if not matches(f, gold.known)}
    tally.add("spurious", len(spurious), len(exact))
    return tally


def table(rows: list[tuple[str, dict[str, Tally]]]) -> str:
    head = (f"{'shape':<16}{'texts':>6}  {'method':<9}{'persons':>8}{'orgs':>8}"
            f"{'spurious':>10}{'ms/text':>9}")
    lines = [head, "-" * len(head)]
    for name, by_method in rows:
        for i, (method, t) in enumerate(by_method.items()):
            lines.append(f"{name if i == 0 else '':<16}{t.texts if i == 0 else '':>6}  "
                         f"{method:<9}{t.ratio('persons'):>8}{t.ratio('orgs'):>8}"
                         f"{t.counts.get('spurious', [0])[0]:>10}"
                         f"{1000 * t.seconds / max(t.texts, 1):>9.1f}")
    return "\n".join(lines)


def footer(overall: dict[str, Tally]) -> str:
    head = (f"{'overall':<9}{'persons':>8}{'covers':>8}{'exact':>8}{'orgs':>8}{'covers':>8}"
            f"{'exact':>8}{'spurious/found':>16}{'KB/s':>9}")
    lines = ["", head, "-" * len(head)]
    for method, t in overall.items():
        spurious, found = t.counts.get("spurious", [0, 0])
        lines.append(f"{method:<9}" + "".join(f"{t.fraction(n):>8}" for n in (
            "persons", "persons_covers", "persons_exact", "orgs", "orgs_covers", "orgs_exact"))
                     + f"{f'{spurious}/{found}':>16}{t.size / 1000 / max(t.seconds, 1e-9):>9.1f}")
    return "\n".join(lines)


_COST = r"""
import json, os, socket, sys, time
attempts = []
def refused(sock, address):
    attempts.append(repr(address)); raise OSError("network refused")
socket.socket.connect = refused
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
sys.path.insert(0, sys.argv[1])
import service.transcript
base = rss()
t0 = time.perf_counter()
import underthesea
t1 = time.perf_counter()
underthesea.ner("Ông Nguyễn Văn Nam, Công ty Cổ phần Hãng sơn Đông Á, hỏi Sở Y tế.")
t2 = time.perf_counter()
print(json.dumps({"rss_importer": base, "import_s": t1 - t0, "load_s": t2 - t1,
                  "rss_loaded": rss(), "network": attempts}))
"""


def _closure(name: str) -> set[str]:
    """The distributions `name` installs, itself included (markers of extras skipped)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if current in seen:
            continue
        try:
            requires = metadata.requires(current) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(current)
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            todo.append(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0])
    return seen


def _installed_mb(name: str) -> float:
    files = metadata.files(name) or []
    return sum(f.size or 0 for f in files) / 1e6


def cost() -> str:
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", _COST, root], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    c = json.loads(out.stdout)
    extra = sorted(_closure("underthesea") - _closure("commitments"))
    licence = metadata.metadata("underthesea").get_all("License-Expression")
    sizes = {name: _installed_mb(name) for name in extra}
    lines = [
        "",
        f"underthesea {metadata.version('underthesea')} "
        f"(licence: {(licence or ['?'])[0]}), "
        f"underthesea-core {metadata.version('underthesea-core')}",
        f"  import {c['import_s']:.2f} s, loading its CRF models (first ner call) "
        f"{c['load_s']:.2f} s",
        f"  resident size: importer alone {c['rss_importer']:.0f} MB, with underthesea's "
        f"models loaded {c['rss_loaded']:.0f} MB (+{c['rss_loaded'] - c['rss_importer']:.0f} MB)",
        f"  installed: underthesea {sizes.get('underthesea', 0):.1f} MB, underthesea-core "
        f"{sizes.get('underthesea-core', 0):.1f} MB; all it adds to the project "
        f"{sum(sizes.values()):.1f} MB: {', '.join(extra)}",
        f"  network connections attempted: {len(c['network']) + len(NETWORK_ATTEMPTS)}"
        + (f" {c['network'] + NETWORK_ATTEMPTS}" if c["network"] or NETWORK_ATTEMPTS else ""),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", action="append", choices=SHAPES,
                        help="only this shape (repeatable; default every shape)")
    parser.add_argument("--show", action="store_true",
                        help="print, per text, the gold strings missed and the spurious found")
    args = parser.parse_args(argv)
    shapes = args.shape or SHAPES
    _refuse_network()
    finders: dict[str, Finder] = {"rules": rules, "caps": caps}
    extra = toolkit()
    if extra is None:
        print(INSTALL, file=sys.stderr)
    else:
        finders = {"rules": rules, **extra, "caps": caps}
        extra["ner"]("Ông Nguyễn Văn Nam hỏi Sở Y tế.", UNDATED)  # load the models
    methods = list(finders)
    per_shape = {shape: {m: Tally() for m in methods} for shape in shapes}
    for shape, path, label in texts(shapes):
        text = path.read_text(encoding="utf-8")
        size = len(text.encode())
        held_on = reading_day(label)
        gold = gold_of(label)
        for method, find in finders.items():
            started = time.perf_counter()
            found = find(text, held_on)
            tally = score(found, gold, time.perf_counter() - started, size)
            per_shape[shape][method].merge(tally)
            if args.show:
                missed = [g for g in gold.persons + gold.orgs if not matches(g, found)]
                spurious = sorted({f for f in found if not matches(f, gold.known)})
                print(f"{shape}/{path.stem} [{method}] missed {missed} spurious {spurious}")
    overall = {m: Tally() for m in methods}
    for by_method in per_shape.values():
        for method, tally in by_method.items():
            overall[method].merge(tally)
    print(table([*per_shape.items(), ("overall", overall)]))
    print(footer(overall))
    if extra is not None:
        print(cost())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
