"""Personal accounts: created once per address, signed in with a slow hash,
acting under their own name in the history."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from click.testing import CliRunner

from api.cli import main
from domain.access import Actor, Role
from domain.account import Account
from domain.errors import AlreadyExists, InvalidInput
from service import application as application_module
from service import commands as c
from service.application import Commitments
from service.bootstrap import build
from service.passwords import check_password, hash_password, needs_rehash
from service.settings import Settings

ADMIN = Actor(Role.ADMIN)
PASSWORD = "mật khẩu đủ dài"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Commitments]:
    found = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    found.execute(c.RegisterAgency(code="SYT", name="Sở Y tế"), ADMIN)
    yield found
    found.close()


def test_a_hash_checks_its_password_and_nothing_else() -> None:
    stored = hash_password(PASSWORD)
    # OWASP's minimum for argon2id: 46 MiB, one pass, one lane.
    assert stored.startswith("$argon2id$v=19$m=47104,t=1,p=1$")
    assert not needs_rehash(stored)
    assert PASSWORD not in stored
    assert check_password(PASSWORD, stored)
    assert not check_password(PASSWORD + "x", stored)
    assert hash_password(PASSWORD) != stored  # salted
    assert not check_password(PASSWORD, "bcrypt$whatever")
    assert not check_password(PASSWORD, "not a hash")


def _scrypt(password: str) -> str:
    """A hash as versions before argon2id stored them (scrypt, N=2^14)."""
    salt = b"sixteen byte sal"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    return f"scrypt$16384$8$1${b64(salt)}${b64(digest)}"


def _old_account(app: Commitments, email: str, stored: str) -> Account:
    """An account as an earlier version left it, with the hash it stored."""
    account = Account(email=email, name="Bà Nga", role="auditor", agency=None,
                      password_hash=stored, actor=ADMIN.as_record())
    app.save(account)
    return account


def _event_names(app: Commitments, account: Account) -> list[str]:
    return [type(e).__name__ for e in app.events.get(account.id)]


def test_old_scrypt_hashes_still_check_and_are_marked_for_rehash() -> None:
    old = _scrypt(PASSWORD)
    assert check_password(PASSWORD, old)
    assert not check_password(PASSWORD + "x", old)
    assert needs_rehash(old)
    weaker = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1,
                            type=Type.ID).hash(PASSWORD)
    assert check_password(PASSWORD, weaker)
    assert needs_rehash(weaker)


def test_a_sign_in_rehashes_an_old_hash_to_argon2id_once(app: Commitments) -> None:
    account = _old_account(app, "nga@ldld.example.vn", _scrypt(PASSWORD))
    assert app.sign_in("nga@ldld.example.vn", "sai mật khẩu rồi") is None
    assert _event_names(app, account) == ["Created"]  # a wrong password upgrades nothing
    assert app.sign_in("nga@ldld.example.vn", PASSWORD) is not None
    rehashed = app.account("nga@ldld.example.vn")
    assert rehashed.password_hash.startswith("$argon2id$")
    assert not needs_rehash(rehashed.password_hash)
    assert _event_names(app, account) == ["Created", "PasswordRehashed"]
    [*_, event] = app.events.get(account.id)
    assert event.actor == {"role": "auditor", "agency": None,  # type: ignore[attr-defined]
                           "via": f"account:{account.id}"}
    assert app.sign_in("nga@ldld.example.vn", PASSWORD) is not None
    assert app.sign_in("nga@ldld.example.vn", "sai mật khẩu rồi") is None
    assert _event_names(app, account) == ["Created", "PasswordRehashed"]


def test_a_disabled_account_is_not_rehashed(app: Commitments) -> None:
    account = _old_account(app, "cu@ldld.example.vn", _scrypt(PASSWORD))
    app.disable_account("cu@ldld.example.vn", ADMIN)
    assert app.sign_in("cu@ldld.example.vn", PASSWORD) is None
    assert _event_names(app, account) == ["Created", "Disabled"]


def test_a_new_password_stored_meanwhile_wins_over_the_rehash(
    app: Commitments, monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = _old_account(app, "nga@ldld.example.vn", _scrypt(PASSWORD))
    hashing = application_module.hash_password

    def while_an_admin_sets_a_new_password(password: str) -> str:
        # Between the sign-in's read and its write, another process stores
        # a new password for the same account.
        monkeypatch.setattr(application_module, "hash_password", hashing)
        app.set_password("nga@ldld.example.vn", "mật khẩu mới cũng dài", ADMIN)
        return hashing(password)

    monkeypatch.setattr(application_module, "hash_password", while_an_admin_sets_a_new_password)
    assert app.sign_in("nga@ldld.example.vn", PASSWORD) is not None  # checked before the write
    assert _event_names(app, account) == ["Created", "PasswordChanged"]
    assert app.sign_in("nga@ldld.example.vn", PASSWORD) is None
    assert app.sign_in("nga@ldld.example.vn", "mật khẩu mới cũng dài") is not None


def test_an_officer_signs_in_and_acts_as_their_account(app: Commitments) -> None:
    account = app.create_account(" Officer@SYT.example.vn ", "Trần Văn B", Role.AGENCY, "SYT",
                                 PASSWORD, ADMIN)
    assert account.email == "officer@syt.example.vn"
    found = app.sign_in("OFFICER@syt.example.vn", PASSWORD)
    assert found is not None and found.id == account.id
    assert found.actor.as_record() == {"role": "agency", "agency": "SYT",
                                       "via": f"account:{account.id}"}
    assert app.sign_in("officer@syt.example.vn", "sai mật khẩu rồi") is None
    assert app.sign_in("nobody@syt.example.vn", PASSWORD) is None


def test_an_unknown_address_is_refused_as_slowly_as_a_wrong_password(app: Commitments) -> None:
    app.create_account("a@ldld.example.vn", "Bà Nga", Role.AUDITOR, None, PASSWORD, ADMIN)
    app.sign_in("nobody@ldld.example.vn", PASSWORD)  # the decoy hash, made once
    started = time.perf_counter()
    app.sign_in("nobody@ldld.example.vn", PASSWORD)
    unknown = time.perf_counter() - started
    started = time.perf_counter()
    app.sign_in("a@ldld.example.vn", "sai mật khẩu rồi")
    wrong = time.perf_counter() - started
    assert unknown > 0.2 * wrong and wrong > 0.005


@pytest.mark.parametrize(("email", "name", "role", "agency", "password", "field"), [
    ("not an address", "B", Role.AUDITOR, None, PASSWORD, "email"),
    ("b@x.vn", " ", Role.AUDITOR, None, PASSWORD, "name"),
    ("b@x.vn", "B", Role.AGENCY, None, PASSWORD, "agency"),
    ("b@x.vn", "B", Role.AGENCY, "NOPE", PASSWORD, "agency"),
    ("b@x.vn", "B", Role.AUDITOR, "SYT", PASSWORD, "agency"),
    ("b@x.vn", "B", Role.AUDITOR, None, "ngắn", "password"),
])
def test_bad_accounts_are_refused_naming_the_field(
    app: Commitments, email: str, name: str, role: Role, agency: str | None, password: str,
    field: str,
) -> None:
    before = app.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as refused:
        app.create_account(email, name, role, agency, password, ADMIN)
    assert field in refused.value.fields
    assert app.recorder.max_notification_id() == before


def test_one_account_per_address(app: Commitments) -> None:
    app.create_account("a@x.vn", "A", Role.AUDITOR, None, PASSWORD, ADMIN)
    with pytest.raises(AlreadyExists):
        app.create_account("A@X.VN", "A again", Role.ADMIN, None, PASSWORD, ADMIN)


def test_user_create_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PERSISTENCE_MODULE", "SQLITE_DBNAME", "COMMITMENTS_SQLITE_DBNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMMITMENTS_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(main, ["user", "create", "--email", "nga@ldld.example.vn",
                                  "--name", "Nông Thị Nga", "--role", "auditor"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created auditor account nga@ldld.example.vn" in result.output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert app.sign_in("nga@ldld.example.vn", PASSWORD) is not None
    finally:
        app.close()
    again = runner.invoke(main, ["user", "create", "--email", "nga@ldld.example.vn",
                                 "--name", "X", "--role", "auditor"],
                          env={"COMMITMENTS_NEW_PASSWORD": PASSWORD})
    assert again.exit_code != 0 and "already an account" in again.output


def test_a_new_password_replaces_the_old_and_a_disabled_account_is_shut(
    app: Commitments,
) -> None:
    app.create_account("a@x.vn", "A", Role.AUDITOR, None, PASSWORD, ADMIN)
    app.set_password("a@x.vn", "mật khẩu mới cũng dài", ADMIN)
    assert app.sign_in("a@x.vn", PASSWORD) is None
    assert app.sign_in("a@x.vn", "mật khẩu mới cũng dài") is not None
    with pytest.raises(InvalidInput):
        app.set_password("a@x.vn", "ngắn", ADMIN)
    app.disable_account("a@x.vn", ADMIN)
    assert app.sign_in("a@x.vn", "mật khẩu mới cũng dài") is None
    assert app.account("a@x.vn").disabled


def test_user_password_and_disable_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PERSISTENCE_MODULE", "SQLITE_DBNAME", "COMMITMENTS_SQLITE_DBNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMMITMENTS_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    env = {"COMMITMENTS_NEW_PASSWORD": PASSWORD}
    assert runner.invoke(main, ["user", "create", "--email", "b@x.vn", "--name", "B",
                                "--role", "auditor"], env=env).exit_code == 0
    changed = runner.invoke(main, ["user", "password", "b@x.vn"],
                            env={"COMMITMENTS_NEW_PASSWORD": "một mật khẩu khác"})
    assert changed.exit_code == 0 and "new password set for b@x.vn" in changed.output
    assert runner.invoke(main, ["user", "disable", "b@x.vn"]).exit_code == 0
    missing = runner.invoke(main, ["user", "disable", "c@x.vn"])
    assert missing.exit_code != 0 and "no account for c@x.vn" in missing.output
    app = build(Settings.from_env({"COMMITMENTS_DATA_DIR": str(tmp_path)}))
    try:
        assert app.sign_in("b@x.vn", "một mật khẩu khác") is None
        assert app.account("b@x.vn").disabled
    finally:
        app.close()
