"""The `commitments` command line, on a temporary SQLite store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from service.bootstrap import build
from service.settings import Settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("PERSISTENCE_MODULE", "SQLITE_DBNAME", "COMMITMENTS_SQLITE_DBNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMMITMENTS_DATA_DIR", str(tmp_path))
    return CliRunner()


def test_token_create_prints_the_token_last_and_it_authenticates(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["token", "create", "--role", "auditor", "--label", "Bà Nga"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cmt_")
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    found = app.authenticate(token)
    app.close()
    assert found is not None and found[0].role.value == "auditor"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agency"], "needs --agency"),
        (["--role", "agency", "--agency", "SYT"], "no agency with code 'SYT'"),
        (["--role", "admin", "--agency", "SYT"], "not bound to an agency"),
        (["--role", "agency", "--agency", "?"], "is not an agency code"),
    ],
)
def test_token_create_refuses_what_cannot_work(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["token", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_a_bad_setting_is_named(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_DUE_DAYS", "review=soon")
    result = runner.invoke(main, ["init"])
    assert result.exit_code != 0
    assert "DEFAULT_DUE_DAYS" in result.output


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "init", "token"):
        assert command in result.output


def test_python_m_api_cli_runs_every_command_module(tmp_path: Path) -> None:
    # `serve` starts its projector as `python -m api.cli projections run`: run
    # as __main__, api/cli.py must not be imported a second time by the
    # modules of its sub-commands (it was, and the projector died at import).
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "projections", "status"],
        env={"PATH": "", "COMMITMENTS_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("read_model: position 0 of 0")


def test_audit_verify_prints_the_head(runner: CliRunner) -> None:
    runner.invoke(main, ["token", "create", "--role", "auditor"])
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok, 1 events, head ")
    assert len(result.output.split("head ")[1].strip()) == 64


def test_db_restrict_says_it_is_for_postgresql(runner: CliRunner) -> None:
    result = runner.invoke(main, ["db", "restrict", "commitments_app"])
    assert result.exit_code != 0
    assert "db restrict is for PostgreSQL" in result.output


def test_tokens_are_listed_and_revoked_by_id(runner: CliRunner, tmp_path: Path) -> None:
    created = runner.invoke(main, ["token", "create", "--role", "auditor", "--days", "30",
                                   "--label", "Bà Nga"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert "valid until" in created.output
    [line] = runner.invoke(main, ["token", "list"]).output.strip().splitlines()
    token_id = line.split()[0]
    assert " active " in line and "Bà Nga" in line and f"(id {token_id}," in created.output
    revoked = runner.invoke(main, ["token", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert " revoked " in runner.invoke(main, ["token", "list"]).output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert app.authenticate(secret) is None
    finally:
        app.close()
    missing = runner.invoke(main, ["token", "revoke", "3f2b0c1e-0000-4000-8000-000000000000"])
    assert missing.exit_code != 0 and "no token with id" in missing.output


def test_import_refuses_a_transcript_no_text_may_hold(runner: CliRunner,
                                                      tmp_path: Path) -> None:
    """The shell's import is held to the API's text rule: a NUL would stop
    the projector on PostgreSQL."""
    transcript = Path(__file__).parents[1] / "fixtures" / "transcripts" / \
        "liveblog-dialogue-2024.txt"
    broken = tmp_path / "broken.txt"
    broken.write_text(transcript.read_text(encoding="utf-8").replace("Sở Y tế", "Sở Y\x00tế", 1),
                      encoding="utf-8")
    result = runner.invoke(main, ["import", str(broken), "--title", "Đối thoại",
                                  "--held-on", "2024-05-10"])
    assert result.exit_code != 0
    assert "U+0000" in result.output and "line" in result.output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert (app.recorder.max_notification_id() or 0) == 0
    finally:
        app.close()


def test_import_records_the_kind_of_forum_it_is_told(runner: CliRunner, tmp_path: Path) -> None:
    transcript = Path(__file__).parents[1] / "fixtures" / "transcripts" / \
        "liveblog-dialogue-2024.txt"
    result = runner.invoke(main, ["import", str(transcript), "--title", "Tiếp xúc cử tri",
                                  "--held-on", "2024-05-10", "--forum", "voters_meeting"])
    assert result.exit_code == 0, result.output
    wrong = runner.invoke(main, ["import", str(transcript), "--title", "Họp báo",
                                 "--held-on", "2024-05-10", "--forum", "press"])
    assert wrong.exit_code != 0 and "--forum" in wrong.output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        dialogues = [a for a in (app.repository.get(n.originator_id) for n in
                                 app.recorder.select_notifications(1, 10_000)
                                 if n.originator_version == 1)
                     if type(a).__name__ == "Dialogue"]
        assert [d.forum.value for d in dialogues] == ["voters_meeting"]
    finally:
        app.close()


def test_import_reads_a_petition_table_saved_as_xlsx(runner: CliRunner, tmp_path: Path) -> None:
    """Issue 16: the shell's import takes the workbook a secretariat keeps its
    petition table in; a file that is no workbook is named and stores nothing."""
    from openpyxl import Workbook

    book = Workbook()
    for row in (["STT", "Cử tri", "Nội dung kiến nghị", "Nội dung trả lời"],
                [1, "Cử tri xã Phú Giáo", "Đề nghị sửa chữa cầu treo thôn 3.",
                 "UBND huyện trả lời: UBND huyện sẽ bố trí kinh phí sửa chữa trong năm 2025."]):
        book.active.append(row)
    table = tmp_path / "kien-nghi.xlsx"
    book.save(table)
    result = runner.invoke(main, ["import", str(table), "--title", "Trả lời kiến nghị",
                                  "--held-on", "2024-12-10", "--forum", "petition_reply",
                                  "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "UBND huyện" in result.output
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"STT;Cu tri\n1;x\n")
    refused = runner.invoke(main, ["import", str(fake), "--title", "Trả lời kiến nghị",
                                   "--held-on", "2024-12-10"])
    assert refused.exit_code != 0 and "not an XLSX workbook" in refused.output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert (app.recorder.max_notification_id() or 0) == 0
    finally:
        app.close()
