"""The asker's word on a claim, given through a signed link: what the page
shows before they answer, and the recording of their answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.access import Actor, Role
from domain.agency import Agency, agency_id
from domain.commitment import Commitment
from domain.dialogue import Question
from service.application import Commitments
from service.commands import GiveAskerFeedback
from service.handlers import load
from service.signed_links import FeedbackLink, Links

ASKER = Actor(Role.ASKER, via="link")


@dataclass(frozen=True)
class FeedbackRequest:
    """What a link asks the asker about, as the page shows it."""

    link: FeedbackLink
    commitment: Commitment  # as the claim left it
    agency: str  # the agency's name
    question: Question
    current: bool  # the claim is still the agency's latest
    given: dict[str, Any] | None  # the asker's word on it, once given


def links(app: Commitments) -> Links:
    return Links(app.settings.session_secret())


def feedback_request(app: Commitments, token: str) -> FeedbackRequest:
    """What the link stands for; LinkRefused for an altered or old link."""
    link = links(app).read_feedback(token)
    latest = load(app.repository, Commitment, link.commitment_id)
    claim: Commitment = app.get(link.commitment_id, link.claim_version)
    agency: Agency = app.get(agency_id(claim.agency))
    current = latest.claim_version == link.claim_version
    return FeedbackRequest(link, claim, agency.name,
                           load(app.repository, Question, link.question_id), current,
                           latest.asker_feedback if current else None)


def give_feedback(app: Commitments, token: str, note: str | None) -> Commitment:
    """Record the asker's word (the verdict is the link's); refused when the
    link is altered or old, the claim superseded, or already answered."""
    link = links(app).read_feedback(token)
    outcome = app.execute(GiveAskerFeedback(link.commitment_id, link.claim_version,
                                            link.verdict, note), ASKER)
    found: Commitment = app.result(outcome)
    return found
