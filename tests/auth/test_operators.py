"""Platform operators: creation (service and ``yunmail operator create``), sign-in, lockout, TOTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest

from auth.kit import IP
from support.databases import open_test_database
from support.factories import DirectoryFactory
from yunmail.auth import Auth, Principal
from yunmail.cli.main import main
from yunmail.clock import FakeClock, SystemClock
from yunmail.errors import (
    LoginAccountDisabled,
    LoginInvalid,
    LoginLocked,
    OperatorLoginInvalid,
    OperatorLoginTaken,
    PasswordTooShort,
    TotpInvalid,
    TotpRequired,
)
from yunmail.storage import MemoryCounters

PASSWORD = "Operator-Pass-2026"


async def sign_in(auth: Auth, login: str, password: str = PASSWORD, code: str | None = None) -> Principal:
    return await auth.operators.authenticate(login, password, totp_code=code, remote_ip=IP)


async def test_created_operator_signs_in_as_an_operator_principal(auth: Auth) -> None:
    operator = await auth.operators.create("  Ops@Example.com ", PASSWORD)
    assert (operator.login, operator.status) == ("ops@example.com", "active")
    principal = await sign_in(auth, "OPS@example.com")
    assert principal == Principal(kind="operator", login="ops@example.com", operator_id=operator.id)
    assert principal.enterprise_id is None


async def test_login_is_unique_case_insensitively(auth: Auth) -> None:
    await auth.operators.create("ops", PASSWORD)
    with pytest.raises(OperatorLoginTaken) as taken:
        await auth.operators.create("OPS", PASSWORD)
    assert taken.value.params == {"login": "ops"}


async def test_login_and_password_are_checked(auth: Auth) -> None:
    for login in ("x", "bad login", "a/b"):
        with pytest.raises(OperatorLoginInvalid):
            await auth.operators.create(login, PASSWORD)
    with pytest.raises(PasswordTooShort):
        await auth.operators.create("ops", "Ab1")


async def test_wrong_password_and_unknown_login_are_refused_alike(auth: Auth) -> None:
    await auth.operators.create("ops", PASSWORD)
    with pytest.raises(LoginInvalid):
        await sign_in(auth, "ops", "Wrong-Pass-2026")
    with pytest.raises(LoginInvalid):
        await sign_in(auth, "nobody")


async def test_repeated_failures_lock_the_operator_login(auth: Auth, clock: FakeClock) -> None:
    await auth.operators.create("ops", PASSWORD)
    for _ in range(auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await sign_in(auth, "ops", "Wrong-Pass-2026")
    with pytest.raises(LoginLocked):
        await sign_in(auth, "ops")
    await auth.operators.unlock("ops")
    assert (await sign_in(auth, "ops")).login == "ops"


async def test_disabled_operator_is_refused_after_the_right_password(auth: Auth) -> None:
    operator = await auth.operators.create("ops", PASSWORD)
    await auth.operators.disable(operator.id)
    with pytest.raises(LoginAccountDisabled):
        await sign_in(auth, "ops")
    with pytest.raises(LoginInvalid):
        await sign_in(auth, "ops", "Wrong-Pass-2026")


async def test_operator_with_totp_needs_the_current_code(auth: Auth, clock: FakeClock) -> None:
    operator = await auth.operators.create("ops", PASSWORD)
    enrollment = await auth.totp.begin(operator.principal())
    app = pyotp.TOTP(enrollment.secret)
    await auth.totp.confirm(operator.principal(), enrollment.secret, app.at(clock.now()))
    clock.advance(seconds=30)
    with pytest.raises(TotpRequired):
        await sign_in(auth, "ops")
    with pytest.raises(TotpInvalid):
        await sign_in(auth, "ops", code=f"{(int(app.at(clock.now())) + 1) % 1_000_000:06d}")
    assert (await sign_in(auth, "ops", code=app.at(clock.now()))).operator_id == operator.id


# --- yunmail operator create ------------------------------------------------------------------------


Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """``yunmail ARGS --config <a config on the test's database> --json`` in-process: (exit code, stdout)."""
    config = tmp_path / "yunmail.toml"
    config.write_text(f'data_dir = "data"\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("YUNMAIL_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)

    def invoke(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main([*args, "--config", str(config), "--json"])
        return code, capsys.readouterr().out

    return invoke


def signs_in(database_url: str, login: str, password: str) -> Principal:
    """Sign in as the CLI's operator through a fresh ``Auth`` (argon2id, like the CLI) on that database."""

    async def attempt() -> Principal:
        db = await open_test_database(database_url)
        try:
            directory = DirectoryFactory.build(db, SystemClock()).directory
            auth = Auth(db, directory, MemoryCounters(), SystemClock())
            return await auth.operators.authenticate(login, password, remote_ip=IP)
        finally:
            await db.dispose()

    return asyncio.run(attempt())


def test_cli_creates_an_operator_with_a_generated_password_shown_once(run: Run, database_url: str) -> None:
    code, out = run("operator", "create", "Root")
    assert code == 0
    created = json.loads(out)
    assert created["operator"]["login"] == "root"
    assert signs_in(database_url, "root", created["password"]).kind == "operator"


def test_cli_uses_the_given_password_and_does_not_print_it(run: Run, database_url: str) -> None:
    code, out = run("operator", "create", "root", "--password", PASSWORD)
    assert code == 0
    assert PASSWORD not in out and "password" not in json.loads(out)
    assert signs_in(database_url, "root", PASSWORD).login == "root"


def test_cli_refuses_a_taken_login_with_its_error_code(run: Run) -> None:
    assert run("operator", "create", "root", "--password", PASSWORD)[0] == 0
    code, out = run("operator", "create", "ROOT", "--password", PASSWORD)
    assert code == 1
    assert json.loads(out)["code"] == "OPERATOR_LOGIN_TAKEN"
