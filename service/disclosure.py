"""What of a commitment's history the public report may show.

The log keeps everything a use case needed: reminder recipients (e-mail
addresses), delivery claims and errors, the credential a write came through.
The public sees what was promised and done: each step's date, what it
changed, the note and evidence an agency or auditor gave, and who acted by
role and agency, never by person, address or token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Events the report lists, in the words of the domain. Candidate edits and
# rejections happen before anything is a promise; reminder claims and failed
# attempts are the sender's bookkeeping.
SHOWN = frozenset({
    "Made", "Confirmed", "ProgressReported", "DeadlineExtended", "ExtensionRequested",
    "ExtensionDecided", "Corrected", "Fulfilled", "PartiallyFulfilled", "Declined",
    "Withdrawn", "Transferred", "VerdictGiven", "ReminderSent",
    # The asker's word is public; their note is not (it may say who they are).
    "AskerConfirmed", "AskerContested",
    # Carried into a later dialogue (issue 18): which one is public.
    "CarriedOver",
})
# What a reader following a promise is told of, and what its feed lists:
# every change the public history shows but the reminders.
PUBLIC_CHANGES = SHOWN - {"ReminderSent"}
# Events whose note is a public statement: an agency's report, a reason for a
# new date or a refusal, an auditor's finding.
_WITH_NOTE = frozenset({
    "Confirmed", "ProgressReported", "DeadlineExtended", "ExtensionRequested",
    "ExtensionDecided", "Corrected", "Fulfilled", "PartiallyFulfilled", "Declined",
    "Withdrawn", "VerdictGiven",
})
# What a correction may change, all of it public.
_CORRECTED_FIELDS = ("text", "kind", "agency", "due_on")
_EVIDENCE_FIELDS = ("title", "url", "dated")


def event_name(event: Any) -> str:
    return type(event).__name__


def disclosed(event: Any) -> dict[str, Any]:
    """The public part of a commitment event; empty for events not shown."""
    name = event_name(event)
    if name not in SHOWN:
        return {}
    detail: dict[str, Any] = {}
    actor = getattr(event, "actor", None)
    if isinstance(actor, dict) and actor.get("role"):
        detail["actor"] = {key: actor[key] for key in ("role", "agency") if actor.get(key)}
    if name in _WITH_NOTE and getattr(event, "note", None):
        detail["note"] = event.note
    items = getattr(event, "evidence", None)
    if items:
        evidence = [{key: item[key] for key in _EVIDENCE_FIELDS if item.get(key)}
                    for item in items if isinstance(item, dict)]
        if any(evidence):
            detail["evidence"] = [item for item in evidence if item]
    more = _MORE.get(name)
    if more is not None:
        detail.update(more(event))
    return detail


# What else an event of each kind discloses: the dates, decisions and
# destinations it records.
_MORE: dict[str, Callable[[Any], dict[str, Any]]] = {
    "Made": lambda event: {"due_on": event.due_on},
    "DeadlineExtended": lambda event: {"new_due_on": event.new_due_on},
    "ExtensionRequested": lambda event: {"new_due_on": event.new_due_on},
    "ExtensionDecided": lambda event: {"new_due_on": event.new_due_on,
                                       "decision": event.decision},
    "CarriedOver": lambda event: {"dialogue_id": str(event.dialogue_id)},
    "Corrected": lambda event: {"changes": {key: event.changes[key] for key in _CORRECTED_FIELDS
                                            if key in event.changes}},
    "VerdictGiven": lambda event: {"verdict": event.verdict},
    "Transferred": lambda event: {"agency": event.agency,
                                  "commitment_id": str(event.commitment_id)},
    "ReminderSent": lambda event: {"rung": event.rung},
}
