"""Counting days: the pure calendars, Vietnam's working days (the `holidays`
package plus the admin's file), and the settings that choose the calendar used
for default due dates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.access import Actor, Role
from domain.calendar import CalendarDays, WorkingDays, weekend_or
from domain.deadlines import DueBasis, DuePolicy, Kind, due_date
from domain.reminders import Rung
from domain.status import Status
from service import commands as c
from service.application import Commitments
from service.bootstrap import build
from service.settings import ConfigurationError, Settings
from service.working_days import HolidayFileError, read_exceptions, vietnam
from tests.support.clock import FixedClock

ADMIN = Actor(Role.ADMIN)
TET = [date(2025, 1, 27) + timedelta(days=n) for n in range(6)]  # Mon 27/01 .. Sat 01/02
MAKE_UP_SATURDAY = date(2025, 4, 26)
SWAPPED_FRIDAY = date(2025, 5, 2)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def vn() -> WorkingDays:
    return vietnam()


# -- the pure calendars -------------------------------------------------------------------


def test_calendar_days_count_every_day() -> None:
    cal = CalendarDays()
    assert cal.shift(date(2025, 1, 31), 30) == date(2025, 3, 2)
    assert cal.shift(date(2025, 3, 2), -30) == date(2025, 1, 31)
    assert cal.next_day(date(2025, 2, 28)) == date(2025, 3, 1)


def test_working_days_skip_weekends_both_ways() -> None:
    """Fri + 1 = Mon; Mon - 1 = Fri; 0 leaves the date as it is, even a Sunday."""
    plain = WorkingDays(weekend_or(lambda d: False, lambda d: False))
    friday, monday = date(2025, 3, 7), date(2025, 3, 10)
    assert plain.shift(friday, 1) == monday
    assert plain.next_day(friday) == monday
    assert plain.shift(monday, -1) == friday
    assert plain.shift(friday, 5) == date(2025, 3, 14)
    assert plain.shift(date(2025, 3, 14), -5) == friday
    assert plain.shift(date(2025, 3, 9), 0) == date(2025, 3, 9)
    assert plain.next_day(date(2025, 3, 8)) == monday  # from a Saturday


def test_weekend_or_lets_a_worked_day_win() -> None:
    """A worked weekend day counts; a holiday on a weekday does not."""
    holiday, worked = date(2025, 3, 12), date(2025, 3, 15)
    rule = weekend_or(lambda d: d == holiday, lambda d: d == worked)
    assert rule(holiday) and not rule(worked) and rule(date(2025, 3, 16))
    assert not rule(date(2025, 3, 11))


# -- Vietnam, 2025 ------------------------------------------------------------------------


def test_tet_2025_is_off(vn: WorkingDays) -> None:
    """Mon 27/01 to Sat 01/02 and the weekends around are off; the weeks either
    side are worked."""
    for d in [*TET, date(2025, 1, 25), date(2025, 1, 26), date(2025, 2, 2)]:
        assert not vn.is_working(d), d
    for d in [*days(date(2025, 1, 20), date(2025, 1, 24)),
              *days(date(2025, 2, 3), date(2025, 2, 7))]:
        assert vn.is_working(d), d


def test_shift_across_tet(vn: WorkingDays) -> None:
    """Fri 24/01 + 1 working day is Mon 03/02; and back again."""
    assert vn.next_day(date(2025, 1, 24)) == date(2025, 2, 3)
    assert vn.shift(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert vn.shift(date(2025, 2, 3), -1) == date(2025, 1, 24)
    assert vn.shift(date(2025, 1, 20), 10) == date(2025, 2, 10)


def test_make_up_saturday_is_worked_and_the_swapped_friday_is_not(vn: WorkingDays) -> None:
    """The government moved the Saturday 26/04 to Friday 02/05: the Saturday is a
    working day and the Friday a day off, with 30/04 and 01/05 off too."""
    assert vn.is_working(MAKE_UP_SATURDAY)
    assert not vn.is_working(SWAPPED_FRIDAY)
    assert not vn.is_working(date(2025, 4, 30))
    assert not vn.is_working(date(2025, 5, 1))
    assert not vn.is_working(date(2025, 4, 27))  # the Sunday after stays off
    assert vn.shift(date(2025, 4, 25), 1) == MAKE_UP_SATURDAY
    assert vn.shift(date(2025, 4, 25), 4) == date(2025, 5, 5)  # Sat, Mon, Tue, then Mon
    assert vn.shift(date(2025, 5, 5), -3) == MAKE_UP_SATURDAY


def test_make_up_saturday_does_not_depend_on_the_locale(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """BUG: on a server whose locale is Vietnamese the `holidays` package names the
    swapped day "Ngày nghỉ (thay cho ngày 26/04/2025)", which the English pattern in
    service/working_days.py does not match, so the make-up Saturday counts as a day
    off and every deadline across it moves a day."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    monkeypatch.setenv("LANGUAGE", "vi")
    cal = vietnam()
    assert not cal.is_working(SWAPPED_FRIDAY)
    assert cal.is_working(MAKE_UP_SATURDAY)


# -- the admin's file ----------------------------------------------------------------------


def test_admin_file_adds_a_bridge_day_and_a_worked_saturday(tmp_path: Path,
                                                            vn: WorkingDays) -> None:
    """Fri 03/01/2025 off (bridge after New Year) and Sat 11/01/2025 worked: both
    change the count. Without the file, Thu 02/01 + 1 is Fri 03/01 and Fri 10/01 + 1
    is Mon 13/01."""
    file = tmp_path / "holidays.txt"
    file.write_text(
        "# ngày nghỉ, ngày làm bù của tỉnh\n"
        "\n"
        "2025-01-03 off   # bridge day after New Year\n"
        "2025-01-11 WORK  # make-up Saturday\n",
        encoding="utf-8",
    )
    assert read_exceptions(file) == (frozenset({date(2025, 1, 3)}),
                                     frozenset({date(2025, 1, 11)}))
    local = vietnam(file)
    assert vn.shift(date(2025, 1, 2), 1) == date(2025, 1, 3)
    assert local.shift(date(2025, 1, 2), 1) == date(2025, 1, 6)
    assert vn.shift(date(2025, 1, 10), 1) == date(2025, 1, 13)
    assert local.shift(date(2025, 1, 10), 1) == date(2025, 1, 11)
    assert vn.shift(date(2025, 1, 2), 7) == date(2025, 1, 13)
    assert local.shift(date(2025, 1, 2), 7) == date(2025, 1, 13)  # one lost, one gained
    assert local.shift(date(2025, 1, 13), -2) == date(2025, 1, 10)
    # The package's own days still apply.
    assert not local.is_working(TET[0]) and local.is_working(MAKE_UP_SATURDAY)


def test_a_date_alone_is_a_day_off(tmp_path: Path) -> None:
    file = tmp_path / "h.txt"
    file.write_text("2025-03-14\n", encoding="utf-8")
    assert read_exceptions(file) == (frozenset({date(2025, 3, 14)}), frozenset())
    assert not vietnam(file).is_working(date(2025, 3, 14))


def test_admin_day_off_wins_over_the_packages_make_up_saturday(tmp_path: Path) -> None:
    """BUG: a province that does not work the national make-up Saturday writes
    `2025-04-26 off`; the file is what the province decided, but the package's
    swapped day wins (`is_worked` is checked first), so the Saturday still counts."""
    file = tmp_path / "h.txt"
    file.write_text("2025-04-26 off  # tỉnh không làm bù\n", encoding="utf-8")
    assert not vietnam(file).is_working(MAKE_UP_SATURDAY)


@pytest.mark.parametrize(
    ("lines", "number", "needle"),
    [
        (["2025-01-03 off", "2025-13-01 off"], 2, "'2025-13-01' is not a date"),
        (["# comment", "", "03/01/2025 off"], 3, "'03/01/2025' is not a date"),
        (["2025-01-03 holiday"], 1, "expected 'YYYY-MM-DD off' or 'YYYY-MM-DD work'"),
        (["2025-01-03 off", "2025-01-04 work extra"], 2, "2025-01-04 work extra"),
        (["off 2025-01-03"], 1, "'off' is not a date"),
    ],
)
def test_malformed_lines_name_the_file_and_line(tmp_path: Path, lines: list[str],
                                                number: int, needle: str) -> None:
    file = tmp_path / "holidays.txt"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(HolidayFileError) as raised:
        read_exceptions(file)
    assert f"{file}:{number}:" in str(raised.value)
    assert needle in str(raised.value)
    with pytest.raises(HolidayFileError, match=f"{file}:{number}:"):
        vietnam(file)


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """BUG (minor): Windows Notepad saves UTF-8 with a BOM; the first line then
    reads as '\\ufeff2025-01-03' and is refused as not a date."""
    file = tmp_path / "holidays.txt"
    file.write_bytes("2025-01-03 off\n".encode("utf-8-sig"))
    assert read_exceptions(file) == (frozenset({date(2025, 1, 3)}), frozenset())


# -- settings ---------------------------------------------------------------------------


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"COMMITMENTS_DATA_DIR": str(tmp_path), **values}


def test_calendar_is_the_default(tmp_path: Path) -> None:
    settings = Settings.from_env(env(tmp_path))
    assert isinstance(settings.calendar, CalendarDays)
    assert settings.calendar.name == "calendar"


def test_working_calendar_setting(tmp_path: Path) -> None:
    settings = Settings.from_env(env(tmp_path, DEADLINE_CALENDAR=" Working "))
    assert settings.calendar.name == "working"
    assert settings.calendar.next_day(date(2025, 1, 24)) == date(2025, 2, 3)


def test_holidays_file_in_the_data_dir_is_used(tmp_path: Path) -> None:
    (tmp_path / "holidays.txt").write_text("2025-01-03 off\n", encoding="utf-8")
    settings = Settings.from_env(env(tmp_path, DEADLINE_CALENDAR="working"))
    assert settings.calendar.next_day(date(2025, 1, 2)) == date(2025, 1, 6)


def test_holidays_file_setting_wins_over_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "holidays.txt").write_text("2025-01-03 off\n", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("2025-01-06 off\n", encoding="utf-8")
    settings = Settings.from_env(env(tmp_path, DEADLINE_CALENDAR="working",
                                     DEADLINE_HOLIDAYS_FILE=str(other)))
    assert settings.calendar.next_day(date(2025, 1, 2)) == date(2025, 1, 3)
    assert settings.calendar.next_day(date(2025, 1, 3)) == date(2025, 1, 7)


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"DEADLINE_CALENDAR": "lunar"}, "DEADLINE_CALENDAR"),
        ({"DEADLINE_CALENDAR": "working", "DEADLINE_HOLIDAYS_FILE": "/nonexistent/h.txt"},
         "DEADLINE_HOLIDAYS_FILE"),
        ({"DUE_SOON_DAYS": "a week"}, "DUE_SOON_DAYS"),
        ({"DUE_SOON_DAYS": "-1"}, "DUE_SOON_DAYS"),
        ({"ESCALATE_AFTER_DAYS": "30.5"}, "ESCALATE_AFTER_DAYS"),
        ({"REMINDER_LEASE_SECONDS": "0"}, "REMINDER_LEASE_SECONDS"),
        ({"REMINDER_MAX_ATTEMPTS": "0"}, "REMINDER_MAX_ATTEMPTS"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(v.values())[:30],
)
def test_bad_settings_name_the_variable(tmp_path: Path, values: dict[str, str],
                                        name: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(env(tmp_path, **values))
    assert str(raised.value).startswith(name)


def test_malformed_holidays_file_is_a_configuration_error(tmp_path: Path) -> None:
    file = tmp_path / "h.txt"
    file.write_text("2025-01-03 off\nngày 4\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(env(tmp_path, DEADLINE_CALENDAR="working",
                              DEADLINE_HOLIDAYS_FILE=str(file)))
    assert "DEADLINE_HOLIDAYS_FILE" in str(raised.value)
    assert f"{file}:2" in str(raised.value)


def test_ladder_settings_are_read(tmp_path: Path) -> None:
    settings = Settings.from_env(env(tmp_path, DUE_SOON_DAYS="3", ESCALATE_AFTER_DAYS="20"))
    ladder = settings.reminders.ladder
    assert (ladder.due_soon_days, ladder.escalate_after_days) == (3, 20)


def test_no_escalation_before_the_commitment_is_overdue(tmp_path: Path) -> None:
    """BUG: ESCALATE_AFTER_DAYS=0 is accepted, and the escalation ("[Khẩn] Quá hạn
    0 ngày") then applies on the due date itself, before the promise is overdue,
    and the overdue reminder is never sent. Either the setting is refused or the
    ladder waits for the overdue day."""
    due = date(2025, 3, 5)
    try:
        settings = Settings.from_env(env(tmp_path, ESCALATE_AFTER_DAYS="0"))
    except ConfigurationError as error:
        assert "ESCALATE_AFTER_DAYS" in str(error)
        return
    ladder = settings.reminders.ladder
    assert ladder.rung_on(Status.OPEN, due, due, settings.calendar) is not Rung.ESCALATION


# -- default due dates through the application ---------------------------------------------


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Commitments]]:
    apps: list[Commitments] = []

    def make(**values: str) -> Commitments:
        folder = tmp_path / str(len(apps))
        application = build(Settings.from_env(env(folder, **values)),
                            clock=FixedClock(date(2025, 6, 30)))
        apps.append(application)
        return application

    yield make
    for application in apps:
        application.close()


def default_due(app: Commitments, held_on: date, kind: Kind = Kind.REPORT) -> tuple[date, str]:
    app.execute(c.RegisterAgency("SYT", "Sở Y tế"), ADMIN)
    dialogue = app.execute(c.RecordDialogue("Đối thoại 2025", held_on), ADMIN).aggregate_id
    made = app.execute(c.MakeCommitment("SYT", "Sẽ báo cáo.", kind, dialogue_id=dialogue),
                       ADMIN)
    commitment = app.result(made)
    return commitment.due_on, commitment.due_basis.value


@pytest.mark.parametrize(
    ("calendar", "held_on", "due"),
    [
        # 30 calendar days.
        ("calendar", date(2025, 1, 20), date(2025, 2, 19)),
        # 30 working days: 4 before Tết, none in it, then 5 a week to Mon 10/03.
        ("working", date(2025, 1, 20), date(2025, 3, 10)),
        # Across 30/04-02/05 with the make-up Saturday 26/04 counted: Wed 04/06.
        ("working", date(2025, 4, 21), date(2025, 6, 4)),
    ],
)
def test_default_report_due_date(make_app: Callable[..., Commitments], calendar: str,
                                 held_on: date, due: date) -> None:
    """A report promise without a stated date is due 30 days after the dialogue,
    counted in the configured calendar."""
    app = make_app(DEADLINE_CALENDAR=calendar)
    assert default_due(app, held_on) == (due, DueBasis.DEFAULT.value)


def test_working_default_honours_the_admin_file(make_app: Callable[..., Commitments],
                                                tmp_path: Path) -> None:
    """A bridge day in the file pushes the default one working day later."""
    file = tmp_path / "bridge.txt"
    file.write_text("2025-02-14 off\n", encoding="utf-8")
    app = make_app(DEADLINE_CALENDAR="working", DEADLINE_HOLIDAYS_FILE=str(file))
    assert default_due(app, date(2025, 1, 20)) == (date(2025, 3, 11), "default")


def test_stated_date_is_not_counted_in_any_calendar(vn: WorkingDays) -> None:
    """due_date takes a stated date as stated; the default counts in the calendar."""
    stated = date(2025, 2, 1)  # a Tết day
    assert due_date(Kind.REPORT, stated, date(2025, 1, 20), DuePolicy(), vn) == (
        stated, DueBasis.STATED)
    assert due_date(Kind.REPORT, None, date(2025, 1, 20), DuePolicy(), vn)[0] == date(
        2025, 3, 10)
