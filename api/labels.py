"""Names shown to readers for the service's codes (statuses, kinds, events)."""

from __future__ import annotations

from api.i18n import N_

STATUS = {
    "proposed": N_("candidate"),
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "fulfilled": N_("fulfilled"),
    "partially_fulfilled": N_("partially fulfilled"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "transferred": N_("transferred"),
    "rejected": N_("rejected"),
    "overdue": N_("overdue"),
}

CORRECTED = {
    "text": N_("text"),
    "kind": N_("kind"),
    "agency": N_("agency"),
    "due_on": N_("due date"),
}

DECISION = {
    "approve": N_("approved"),
    "refuse": N_("refused"),
}

VERDICT = {
    "verified": N_("verified by the union"),
    "disputed": N_("disputed by the union"),
}

KIND = {
    "review": N_("review"),
    "study": N_("study"),
    "propose": N_("propose to the competent authority"),
    "advise": N_("advise"),
    "implement": N_("implement"),
    "report": N_("report"),
    "other": N_("other"),
}

EVENT = {
    "Made": N_("Promise made"),
    "Confirmed": N_("Confirmed as a promise"),
    "ProgressReported": N_("Progress reported"),
    "DeadlineExtended": N_("Deadline extended"),
    "ExtensionRequested": N_("Extension requested"),
    "ExtensionDecided": N_("Extension request decided"),
    "Corrected": N_("Record corrected by the secretariat"),
    "Fulfilled": N_("Marked fulfilled"),
    "PartiallyFulfilled": N_("Marked partially fulfilled"),
    "Declined": N_("Declined"),
    "Withdrawn": N_("Withdrawn"),
    "Transferred": N_("Transferred to another agency"),
    "VerdictGiven": N_("Union verdict"),
    "ReminderSent": N_("Reminder sent"),
    "AskerConfirmed": N_("Confirmed by the person who asked"),
    "AskerContested": N_("Contested by the person who asked"),
    "CarriedOver": N_("Carried over to a later dialogue"),
}

ROLE = {
    "admin": N_("union secretariat"),
    "auditor": N_("union auditor"),
    "agency": N_("agency"),
    "asker": N_("the person who asked"),
    "system": N_("the service"),
}

BAND = {
    "fulfilled_on_time": N_("fulfilled on time"),
    "fulfilled_late": N_("fulfilled late"),
    "pending_within_deadline": N_("pending, within deadline"),
    "overdue": N_("overdue"),
    "partially_fulfilled": N_("partially fulfilled"),
    "closed": N_("declined or withdrawn"),
}

DUE_BASIS = {
    "stated": N_("date stated in the answer"),
    "default": N_("default for this kind of promise"),
    "extended": N_("extended"),
}

# How an import tied an answer to its questions.
LINKED_BY = {
    "name": N_("the asker was named"),
    "topic": N_("the same topic"),
    "nearest": N_("the nearest question before it"),
}

RUNG = {
    "due_soon": N_("due soon"),
    "overdue": N_("overdue"),
    "escalation": N_("escalated to the head of the agency"),
}

ACTION = {
    "progress": N_("progress reported"),
    "extend": N_("deadline extended"),
    "fulfil": N_("fulfilled"),
    "partially_fulfil": N_("partially fulfilled"),
    "decline": N_("declined, with the reason"),
    "withdraw": N_("withdrawn: recorded in error, with the reason"),
}

# The kinds of forum a record comes from (domain.dialogue.ForumKind).
FORUM = {
    "dialogue": N_("Dialogue conference"),
    "interpellation": N_("Council interpellation"),
    "voters_meeting": N_("Voters' meeting"),
    "petition_reply": N_("Written reply to voters' petitions"),
    "resolution": N_("Resolution or conclusion"),
}

# Who may ask (domain.dialogue.AskerKind); a person's name needs no label.
ASKER = {
    "person": N_("a person"),
    "group": N_("a group of people"),
    "body": N_("an agency or organisation"),
}
