"""Configuration: read from environment variables here and nowhere else."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.calendar import Calendar, CalendarDays
from domain.deadlines import DuePolicy
from domain.reminders import Ladder

SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"
_PERSISTENCE = (SQLITE, POSTGRES, "eventsourcing.popo")
# eventsourcing reads these itself; they pass through unchanged.
_PASSTHROUGH_PREFIXES = ("POSTGRES_", "SQLITE_", "COMMITMENTS_POSTGRES_", "COMMITMENTS_SQLITE_")
_PASSTHROUGH = ("CREATE_TABLE", "AGGREGATE_CACHE_MAXSIZE")
LOGO_FILES = ("logo.png", "logo.jpg", "logo.webp", "logo.svg")


N = TypeVar("N", int, float)


class ConfigurationError(ValueError):
    """A setting with a value the service cannot use; the message names it."""


@dataclass(frozen=True)
class ReminderSettings:
    ladder: Ladder = field(default_factory=Ladder)
    scan_seconds: float = 300.0
    max_attempts: int = 5
    retry_seconds: float = 60.0
    # How long a claimed delivery may stay unfinished before another sender
    # takes its sender for dead.
    lease: timedelta = timedelta(minutes=15)
    auditors_email: str | None = None
    chair_office_email: str | None = None


@dataclass(frozen=True)
class MailSettings:
    """SMTP when `host` is set; otherwise mails are written to `outbox` as .eml files."""

    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "nhacviec@localhost"
    outbox: Path = Path("./data/outbox")
    # Whose mails they are: the name is the logo's alt text, and the logo is
    # looked for in this folder (the data folder) as the workspace finds it.
    organisation: str = ""
    logo_folder: Path | None = None

    def logo(self) -> Path | None:
        return find_logo(self.logo_folder) if self.logo_folder is not None else None


@dataclass(frozen=True)
class DocumentSettings:
    """Who issues the Word and PDF reports (Decree 30/2020/NĐ-CP's letterhead),
    and the Word file they are built from."""

    # The body above the issuer (e.g. the provincial union) and the issuer.
    parent: str = ""
    issuer: str = "BAN CHẤP HÀNH CÔNG ĐOÀN"
    # The symbol after the number: "Số:      /BC-CĐ".
    symbol: str = "BC-CĐ"
    place: str = "Hà Nội"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: tuple[str, ...] = ("Như trên", "Lưu: VT")
    # A .docx whose styles, page and margins the documents take; None: the
    # one shipped with the service (api/documents/report-template.docx).
    template: Path | None = None


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    persistence_module: str
    eventsourcing_env: dict[str, str]
    timezone: ZoneInfo
    due_policy: DuePolicy
    broker_url: str
    broker_transport_options: dict[str, object] = field(default_factory=dict)
    result_backend: str | None = None
    calendar: Calendar = field(default_factory=CalendarDays)
    reminders: ReminderSettings = field(default_factory=lambda: ReminderSettings())
    mail: MailSettings = field(default_factory=lambda: MailSettings())
    documents: DocumentSettings = field(default_factory=lambda: DocumentSettings())
    webhook_secret: str = ""
    public_base_url: str = "http://localhost:8000"
    # Promises an agency needs before the public league table ranks it.
    report_minimum: int = 5
    # Bad tokens a client may present within the window before it is slowed.
    token_failures_allowed: int = 10
    token_failure_window: float = 60.0
    # Failed sign-ins from one address (and, from browsers the account has not
    # signed in from, to one account) within the window; see service/lockout.py.
    sign_in_failures_allowed: int = 5
    sign_in_failure_window: float = 300.0
    account_failures_allowed: int = 20
    # Sign-ups to follow something, per address followed and per client,
    # within the window (the same counters' store; service/lockout.py).
    follow_sign_ups_per_address: int = 3
    follow_sign_ups_per_client: int = 20
    follow_sign_up_window: float = 3600.0
    # Where the failure counters live, shared by every web process: a Redis
    # URL, or sqlite:///PATH (a file every process on this machine opens).
    failure_store_url: str = "sqlite:///data/failures.sqlite3"
    # Reverse proxies in front of the web processes: their X-Forwarded-For
    # names the client (for the failure counters); 0 trusts no such header.
    proxy_hops: int = 0
    secret_key: str = ""
    # /healthz: a part silent this long, or a projector this long behind its
    # oldest unapplied event, is down or stuck (503).
    health_stale_seconds: float = 60.0
    # How long a read that names a write it must see (X-Read-After, or the
    # cookie a write sets) waits for the projector to pass it before it
    # answers anyway, saying how far behind the tables are.
    read_wait_seconds: float = 2.0
    # The largest request body accepted (a JSON write, a transcript, a form):
    # a whole day's live blog is about 35 KB of text.
    max_request_bytes: int = 1024 * 1024
    # Who runs the service, named on the report, the workspace and the mails.
    organisation_name: str = ""

    @property
    def is_embedded(self) -> bool:
        return self.persistence_module == SQLITE

    @property
    def creates_tables(self) -> bool:
        """CREATE_TABLE, as eventsourcing reads it (yes unless told otherwise)."""
        value = self.eventsourcing_env.get("CREATE_TABLE", "y").strip().lower()
        return value not in ("n", "no", "f", "false", "off", "0")

    def logo(self) -> Path | None:
        """The organisation's logo, if one is put in the data folder as
        logo.png, logo.jpg, logo.webp or logo.svg (looked for on each call:
        adding or changing it needs no restart)."""
        return find_logo(self.data_dir)

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    def clock(self) -> Callable[[], date]:
        return self.today

    def session_secret(self) -> str:
        """SECRET_KEY signs workspace session cookies. Without it, a key is made
        once and kept in the data folder, so every process on this machine
        shares it and sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="ascii") as file:
                os.chmod(path, 0o600)
                file.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass
        return path.read_text(encoding="ascii").strip()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("COMMITMENTS_DATA_DIR", "./data")).resolve()
        module = env.get("PERSISTENCE_MODULE", SQLITE)
        if module not in _PERSISTENCE:
            raise ConfigurationError(
                f"PERSISTENCE_MODULE={module!r}: expected one of {', '.join(_PERSISTENCE)}"
            )
        es_env = {
            key: value
            for key, value in env.items()
            if key.startswith(_PASSTHROUGH_PREFIXES) or key in _PASSTHROUGH
        }
        es_env["PERSISTENCE_MODULE"] = module
        # Aggregates kept in memory and brought up to date from the events
        # after their cached version: a write to a stream of 500 events then
        # costs what a write to a new one does, instead of replaying them all.
        # AGGREGATE_CACHE_MAXSIZE= (empty) turns it off.
        es_env.setdefault("AGGREGATE_CACHE_MAXSIZE", "5000")
        if module == SQLITE:
            es_env.setdefault("SQLITE_DBNAME", str(data_dir / "events.sqlite3"))
            es_env.setdefault("SQLITE_LOCK_TIMEOUT", "10")
        if module == POSTGRES:
            es_env.setdefault("POSTGRES_DBNAME", "commitments")
            es_env.setdefault("POSTGRES_HOST", "127.0.0.1")
            es_env.setdefault("POSTGRES_PORT", "5432")
            es_env.setdefault("POSTGRES_USER", "postgres")
            es_env.setdefault("POSTGRES_PASSWORD", "")
            # eventsourcing tries a statement 10 times; with its 30 s waits an
            # outage outlasts gunicorn's worker timeout and the client gets no
            # JSON 503 at all. 2 s is long on a LAN and keeps 10 tries under 30 s.
            es_env.setdefault("POSTGRES_CONNECT_TIMEOUT", "2")
            es_env.setdefault("POSTGRES_POOL_TIMEOUT", "2")
            # eventsourcing's pools hold 5 connections open from the start, and
            # each process has two (the log, the read tables): the Procfile's
            # nine processes then sit on 90 of PostgreSQL's default 100
            # connections before any load. Keep one open; up to
            # POSTGRES_MAX_OVERFLOW more are opened when a process needs them.
            es_env.setdefault("POSTGRES_POOL_SIZE", "1")
        tz_name = env.get("COMMITMENTS_TIMEZONE", "Asia/Ho_Chi_Minh")
        try:
            timezone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"COMMITMENTS_TIMEZONE={tz_name!r} is not a known time zone"
            ) from None
        try:
            policy = DuePolicy.parse(env.get("DEFAULT_DUE_DAYS", ""))
        except ValueError as error:
            raise ConfigurationError(f"DEFAULT_DUE_DAYS: {error}") from None
        broker = env.get("CELERY_BROKER_URL", "filesystem://")
        options: dict[str, object] = {}
        backend = env.get("CELERY_RESULT_BACKEND")
        if broker == "filesystem://":
            # The embedded transport: queue files in the data folder, polled
            # often enough that tasks do not wait seconds.
            queue = data_dir / "queue"
            options = {
                "data_folder_in": str(queue),
                "data_folder_out": str(queue),
                "processed_folder": str(data_dir / "queue-done"),
                # kombu's default is ./control, wherever the process started.
                "control_folder": str(data_dir / "queue-control"),
                "polling_interval": 0.1,
            }
        reminders = ReminderSettings(
            ladder=Ladder(
                due_soon_days=_number(env, "DUE_SOON_DAYS", 7, int),
                # Escalating on the due date itself would come before the promise is
                # even overdue, and swallow the overdue reminder.
                escalate_after_days=_number(env, "ESCALATE_AFTER_DAYS", 30, int, low=1),
            ),
            scan_seconds=_number(env, "REMINDER_SCAN_SECONDS", 300.0, float, low=0.1),
            max_attempts=_number(env, "REMINDER_MAX_ATTEMPTS", 5, int, low=1),
            retry_seconds=_number(env, "REMINDER_RETRY_SECONDS", 60.0, float, low=0),
            lease=timedelta(seconds=_number(env, "REMINDER_LEASE_SECONDS", 900.0, float, low=1)),
            auditors_email=env.get("UNION_AUDITORS_EMAIL") or None,
            chair_office_email=env.get("CHAIR_OFFICE_EMAIL") or None,
        )
        starttls = env.get("SMTP_STARTTLS", "").lower()
        if starttls not in ("", "0", "1", "true", "false", "yes", "no"):
            raise ConfigurationError(f"SMTP_STARTTLS={starttls!r}: expected true or false")
        mail = MailSettings(
            host=env.get("SMTP_HOST") or None,
            port=_number(env, "SMTP_PORT", 25, int, low=1),
            user=env.get("SMTP_USER") or None,
            password=env.get("SMTP_PASSWORD") or None,
            starttls=starttls in ("1", "true", "yes"),
            sender=env.get("MAIL_FROM", "nhacviec@localhost"),
            outbox=data_dir / "outbox",
            organisation=_organisation(env),
            logo_folder=data_dir,
        )
        if broker.startswith(("redis", "sentinel")) and env.get("CELERY_VISIBILITY_TIMEOUT"):
            # How long a task taken by a worker that died stays invisible
            # before Redis hands it to another (Celery's default is an hour).
            options["visibility_timeout"] = _number(env, "CELERY_VISIBILITY_TIMEOUT", 3600.0,
                                                    float, low=1)
        return cls(
            calendar=_calendar(env, data_dir),
            reminders=reminders,
            mail=mail,
            documents=_documents(env, data_dir),
            webhook_secret=env.get("WEBHOOK_SECRET", ""),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/"),
            report_minimum=_number(env, "REPORT_MINIMUM_RANKED", 5, int, low=1),
            token_failures_allowed=_number(env, "TOKEN_FAILURES_ALLOWED", 10, int, low=1),
            token_failure_window=_number(env, "TOKEN_FAILURE_WINDOW_SECONDS", 60.0, float,
                                         low=1),
            sign_in_failures_allowed=_number(env, "SIGN_IN_FAILURES_ALLOWED", 5, int, low=1),
            sign_in_failure_window=_number(env, "SIGN_IN_FAILURE_WINDOW_SECONDS", 300.0,
                                           float, low=1),
            account_failures_allowed=_number(env, "ACCOUNT_SIGN_IN_FAILURES_ALLOWED", 20, int,
                                             low=1),
            follow_sign_ups_per_address=_number(env, "FOLLOW_SIGN_UPS_PER_ADDRESS", 3, int,
                                                low=1),
            follow_sign_ups_per_client=_number(env, "FOLLOW_SIGN_UPS_PER_CLIENT", 20, int,
                                               low=1),
            follow_sign_up_window=_number(env, "FOLLOW_SIGN_UP_WINDOW_SECONDS", 3600.0, float,
                                          low=1),
            failure_store_url=_failure_store(env, broker, data_dir),
            proxy_hops=_number(env, "PROXY_HOPS", 0, int),
            secret_key=env.get("SECRET_KEY", ""),
            health_stale_seconds=_number(env, "HEALTH_STALE_SECONDS", 60.0, float, low=1),
            read_wait_seconds=_number(env, "READ_WAIT_SECONDS", 2.0, float, low=0),
            max_request_bytes=_number(env, "MAX_REQUEST_BYTES", 1024 * 1024, int, low=1024),
            organisation_name=_organisation(env),
            data_dir=data_dir,
            persistence_module=module,
            eventsourcing_env=es_env,
            timezone=timezone,
            due_policy=policy,
            broker_url=broker,
            broker_transport_options=options,
            result_backend=backend,
        )

    def prepare_storage(self) -> None:
        """Create the folders the embedded mode writes into."""
        if self.is_embedded:
            Path(self.eventsourcing_env["SQLITE_DBNAME"]).parent.mkdir(
                parents=True, exist_ok=True
            )
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            folder = self.broker_transport_options.get(key)
            if isinstance(folder, str):
                Path(folder).mkdir(parents=True, exist_ok=True)


def _number(env: Mapping[str, str], name: str, default: N, kind: Callable[[str], N],
            low: float = 0) -> N:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value < low:
        raise ConfigurationError(f"{name}={text!r}: expected a number >= {low:g}")
    return value


def find_logo(folder: Path) -> Path | None:
    for name in LOGO_FILES:
        path = folder / name
        if path.is_file():
            return path
    return None


def _organisation(env: Mapping[str, str]) -> str:
    name = " ".join(env.get("ORGANISATION_NAME", "").split())
    if len(name) > 200:
        raise ConfigurationError(f"ORGANISATION_NAME: {len(name)} characters, at most 200")
    return name


def _documents(env: Mapping[str, str], data_dir: Path) -> DocumentSettings:
    default = DocumentSettings()
    file = env.get("REPORT_TEMPLATE", "").strip()
    # A secretariat's restyled copy dropped in the data folder is taken as is.
    if not file and (data_dir / "report-template.docx").is_file():
        file = str(data_dir / "report-template.docx")
    if file and not Path(file).is_file():
        raise ConfigurationError(f"REPORT_TEMPLATE={file!r}: no such file")
    recipients = env.get("REPORT_RECIPIENTS")
    return DocumentSettings(
        parent=env.get("REPORT_ISSUER_PARENT", default.parent).strip(),
        # Decree 30 writes the issuing body in capitals; the organisation that
        # runs the service issues its reports unless told otherwise.
        issuer=(env.get("REPORT_ISSUER", "").strip() or _organisation(env).upper()
                or default.issuer),
        symbol=env.get("REPORT_SYMBOL", "").strip() or default.symbol,
        place=env.get("REPORT_PLACE", "").strip() or default.place,
        signer_title=env.get("REPORT_SIGNER_TITLE", "").strip() or default.signer_title,
        signer_name=env.get("REPORT_SIGNER_NAME", default.signer_name).strip(),
        recipients=(tuple(r.strip() for r in recipients.split(";") if r.strip())
                    if recipients is not None else default.recipients),
        template=Path(file) if file else None,
    )


_REDIS = ("redis://", "rediss://", "unix://")


def _failure_store(env: Mapping[str, str], broker: str, data_dir: Path) -> str:
    url = env.get("RATE_LIMIT_STORAGE_URL", "").strip()
    if not url:
        # A Redis broker is already there for every process; otherwise a file
        # beside the event store, which every process on this machine opens.
        if broker.startswith(_REDIS):
            return broker
        return f"sqlite:///{data_dir / 'failures.sqlite3'}"
    if not url.startswith((*_REDIS, "sqlite:///")) or url == "sqlite:///":
        raise ConfigurationError(
            f"RATE_LIMIT_STORAGE_URL={url!r}: expected redis://HOST:PORT/DB or sqlite:///PATH")
    return url


def _calendar(env: Mapping[str, str], data_dir: Path) -> Calendar:
    # Imported here: the holiday data is only loaded when asked for.
    from service.working_days import CALENDARS, HolidayFileError, calendar_named

    name = env.get("DEADLINE_CALENDAR", "calendar").strip().lower() or "calendar"
    if name not in CALENDARS:
        raise ConfigurationError(
            f"DEADLINE_CALENDAR={name!r}: expected one of {', '.join(CALENDARS)}")
    file = env.get("DEADLINE_HOLIDAYS_FILE")
    if not file and (data_dir / "holidays.txt").is_file():
        file = str(data_dir / "holidays.txt")
    if file and not Path(file).is_file():
        raise ConfigurationError(f"DEADLINE_HOLIDAYS_FILE={file!r}: no such file")
    try:
        return calendar_named(name, Path(file) if file else None)
    except HolidayFileError as error:
        raise ConfigurationError(f"DEADLINE_HOLIDAYS_FILE: {error}") from None
