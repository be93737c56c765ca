"""A question's or an answer's text as HTML: its paragraphs as paragraphs,
its lists as lists (domain.passages reads them), quotes marked where they
were said, and a long text folded after its first passages under a "read
more" that opens without script (<details>), never cut."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from api import i18n
from domain.passages import Entry, Line, Listing, Paragraph, Passage, fold_after, passages

Span = tuple[int, int]

# About five lines on a phone: what a long text shows before it is folded.
SHOWN = 400


def html(text: str, folded: bool = False, marks: Sequence[Span] = (),
         shown: int = SHOWN) -> Markup:
    """`text` drawn whole, `marks` (offsets into it) in <mark>; if `folded`,
    the passages after the first `shown` characters' worth go under "read
    more", open if they hold a mark (a quote must be seen in its place)."""
    parts = passages(text)
    cut = fold_after(parts, shown) if folded else len(parts)
    first = "".join(_part(text, part, marks) for part in parts[:cut])
    if cut == len(parts):
        return Markup(first)
    rest = parts[cut:]
    opened = " open" if any(_holds_mark(part, marks) for part in rest) else ""
    hidden = "".join(_part(text, part, marks) for part in rest)
    return Markup(f'{first}<details class="more"{opened}><summary>'
                  f'{escape(i18n._("read more"))}</summary>{hidden}</details>')


def _part(text: str, part: Passage, marks: Sequence[Span]) -> str:
    if isinstance(part, Paragraph):
        return f"<p>{_lines(text, part.lines, marks)}</p>"
    return _listing(text, part, marks)


def _listing(text: str, listing: Listing, marks: Sequence[Span]) -> str:
    items = "".join(_entry(text, entry, listing, marks) for entry in listing.entries)
    if listing.numbering == "1":
        start = f' start="{listing.start}"' if listing.start != 1 else ""
        return f"<ol{start}>{items}</ol>"
    if listing.numbering == "a":
        # Vietnamese letters its points a, b, c, d, đ, e: the browser's own
        # lettering would not, so each item shows its letter as written.
        return f'<ol class="lettered">{items}</ol>'
    return f"<ul>{items}</ul>"


def _entry(text: str, entry: Entry, listing: Listing, marks: Sequence[Span]) -> str:
    label = f'<span class="label">{escape(entry.label)}</span> ' if listing.numbering == "a" else ""
    inner = "".join(_listing(text, nested, marks) for nested in entry.lists)
    return f"<li>{label}{_lines(text, entry.lines, marks)}{inner}</li>"


def _lines(text: str, lines: Sequence[Line], marks: Sequence[Span]) -> str:
    """A passage's lines as one run of words (minutes are hard-wrapped), with
    each mark's part on each line in <mark>."""
    out: list[str] = []
    for start, end in lines:
        pieces: list[str] = []
        at = start
        for mark_start, mark_end in sorted(marks):
            a, b = max(mark_start, at), min(mark_end, end)
            if a >= b:
                continue
            pieces.append(str(escape(text[at:a])))
            pieces.append(f"<mark>{escape(text[a:b])}</mark>")
            at = b
        pieces.append(str(escape(text[at:end])))
        out.append("".join(pieces))
    return " ".join(out)


def _holds_mark(part: Passage, marks: Sequence[Span]) -> bool:
    return any(a < mark_end and mark_start < b
               for a, b in _spans(part) for mark_start, mark_end in marks)


def _spans(part: Passage | Entry) -> list[Line]:
    if isinstance(part, Paragraph):
        return list(part.lines)
    if isinstance(part, Entry):
        return list(part.lines) + [s for inner in part.lists for s in _spans(inner)]
    return [s for entry in part.entries for s in _spans(entry)]
