"""Reminder mails: over SMTP, or into the outbox folder when no server is set."""

from __future__ import annotations

import mimetypes
import re
import smtplib
import ssl
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, formatdate
from html import escape
from pathlib import Path
from typing import Any

from service.messages import Outgoing
from service.notices import Notice
from service.reminders import DeliveryFailed
from service.settings import MailSettings


class _Folding(EmailPolicy):
    """The standard policy, except how a header with non-ASCII text is folded.

    The standard library folds such a header by putting a space that belongs
    to the text between two encoded-words, where RFC 2047 says a reader drops
    it: "trả lương" arrived as "trảlương". Here each encoded-word carries its
    own spaces, and the folds between them hold nothing of the text.
    """

    def fold(self, name: str, value: Any) -> str:
        return self._encoded(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        found = self._encoded(name, value)
        return found.encode("ascii") if found else super().fold_binary(name, value)

    def _encoded(self, name: str, value: Any) -> str | None:
        text = str(value)
        if self.utf8 or text.isascii():
            return None  # nothing to encode: the standard folding keeps it whole
        addresses = getattr(value, "addresses", None)
        if addresses is not None:
            # A display name is encoded on its own; the address stays readable.
            folded = f",{self.linesep} ".join(
                formataddr((a.display_name, a.addr_spec), charset="utf-8") for a in addresses)
        else:
            folded = Header(text, "utf-8", header_name=name,
                            maxlinelen=self.max_line_length).encode(linesep=self.linesep)
        return f"{name}: {folded}{self.linesep}"


POLICY = _Folding()

# The logo's part in every mail that shows it; unique within one message is
# all a Content-ID needs.
LOGO_CID = "logo@commitments"
# Few mail clients draw SVG (and some strip it as a risk): such a logo stays
# on the web pages and the mails go without it.
_MAIL_IMAGES = ("image/png", "image/jpeg", "image/webp")
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def _with_logo(mail: EmailMessage, logo: Path | None, organisation: str) -> EmailMessage:
    """The HTML part opened by the organisation's logo, carried in the mail
    itself (multipart/related, referenced by its Content-ID): clients that
    block remote images still show it, and no mail fetches from the service."""
    kind = mimetypes.guess_type(logo.name)[0] if logo is not None else None
    html = mail.get_body(("html",))
    if logo is None or kind not in _MAIL_IMAGES or not isinstance(html, EmailMessage):
        return mail
    try:
        data = logo.read_bytes()
    except OSError:
        return mail  # a logo being replaced is no reason to hold a reminder back
    alt = escape(organisation or "Biểu trưng của tổ chức vận hành dịch vụ này", quote=True)
    image = f'<p><img src="cid:{LOGO_CID}" alt="{alt}" height="40"></p>'
    text = html.get_content()
    found = _BODY.search(text)
    at = found.end() if found else 0
    # Written anew: base64 stays base64 (see `message`), otherwise the library chooses.
    base64 = str(html.get("Content-Transfer-Encoding", "")).lower() == "base64"
    html.set_content(text[:at] + image + text[at:], subtype="html", charset="utf-8",
                     cte="base64" if base64 else None)
    maintype, subtype = kind.split("/")
    html.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{LOGO_CID}>",
                     disposition="inline", filename=logo.name)
    return mail


def message(notice: Notice, sender: str) -> EmailMessage:
    """The mail: a plain-text part, and the same in HTML for clients that show it."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = formataddr((notice.organisation, sender)) if notice.organisation else sender
    mail["To"] = ", ".join(notice.to)
    if notice.cc:
        mail["Cc"] = ", ".join(notice.cc)
    mail["Subject"] = notice.subject
    mail["Date"] = formatdate(localtime=True)
    # The same id on every try of this delivery: a mail system that sees it
    # twice can tell it is one message.
    mail["Message-ID"] = f"<{notice.key}@commitments>"
    mail["X-Reminder"] = notice.rung.value
    # Base64 whatever the lines: no relay that only passes 7-bit mail can
    # damage the Vietnamese text.
    mail.set_content(notice.text, charset="utf-8", cte="base64")
    if notice.html:
        mail.add_alternative(notice.html, subtype="html", charset="utf-8", cte="base64")
    return mail


def mime(outgoing: Outgoing, sender: str) -> EmailMessage:
    """A message to a person: plain text, and HTML beside it when given."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = sender
    mail["To"] = ", ".join(outgoing.to)
    mail["Subject"] = outgoing.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = f"<{outgoing.key.replace(':', '.')}@commitments>"
    for name, value in outgoing.headers.items():
        mail[name] = value
    mail.set_content(outgoing.text, charset="utf-8")
    if outgoing.html:
        mail.add_alternative(outgoing.html, subtype="html", charset="utf-8")
    return mail


def _mail(item: Notice | Outgoing, settings: MailSettings) -> EmailMessage:
    mail = message(item, settings.sender) if isinstance(item, Notice) else mime(item,
                                                                                 settings.sender)
    return _with_logo(mail, settings.logo(), settings.organisation)


class SmtpMailer:
    def __init__(self, settings: MailSettings, timeout: float = 30.0) -> None:
        assert settings.host
        self.settings = settings
        self.timeout = timeout

    def __call__(self, notice: Notice | Outgoing) -> str | None:
        s = self.settings
        mail = _mail(notice, s)
        try:
            with smtplib.SMTP(s.host or "", s.port, timeout=self.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                refused = smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"SMTP {s.host}:{s.port}: {error}") from error
        receipt = str(mail["Message-ID"])
        if refused:
            receipt += f" (refused: {', '.join(sorted(refused))})"
        return receipt


class Outbox:
    """The embedded default: one .eml file per delivery, named by its id."""

    def __init__(self, settings: MailSettings) -> None:
        self.folder = Path(settings.outbox)
        self.settings = settings

    def __call__(self, notice: Notice | Outgoing) -> str | None:
        target = self.folder / f"{notice.key.replace(':', '_')}.eml"
        partial = target.with_suffix(".part")
        try:
            # Inside the try: a folder that cannot be made is a failed
            # delivery (retried, then recorded), not a dead task holding a claim.
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(bytes(_mail(notice, self.settings)))
            partial.replace(target)
        except OSError as error:
            raise DeliveryFailed(f"outbox {self.folder}: {error}") from error
        return str(target)


def mailer(settings: MailSettings) -> SmtpMailer | Outbox:
    return SmtpMailer(settings) if settings.host else Outbox(settings)
