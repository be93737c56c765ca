"""Reading a dialogue's transcript (a live blog, an article) into questions,
answers and promise candidates. Pure text processing: nothing here touches
the event store; `service.importing` records what `parse` finds."""

from service.transcript.model import (
    Candidate,
    Evidence,
    LinkedBy,
    ParsedAnswer,
    ParsedQuestion,
    Speaker,
    Transcript,
)
from service.transcript.parse import parse

__all__ = [
    "Candidate",
    "Evidence",
    "LinkedBy",
    "ParsedAnswer",
    "ParsedQuestion",
    "Speaker",
    "Transcript",
    "parse",
]
