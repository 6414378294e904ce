"""``serve --demo`` also creates a console administrator and a platform operator, idempotently."""

from __future__ import annotations

from support.server import RunningServer
from yunmail.cli.demo import ensure_demo


async def test_demo_console_logins_sign_in(server: RunningServer) -> None:
    demo = await ensure_demo(server.services)
    logins = {c.console: c for c in demo.consoles}
    admin, operator = logins["admin"], logins["operator"]
    auth = server.services.auth
    principal = await auth.admin_login.authenticate(admin.login, admin.password, totp_code=None, remote_ip="")
    assert (principal.kind, principal.enterprise_id) == ("admin", demo.enterprise.id)
    principal = await auth.operators.authenticate(operator.login, operator.password, remote_ip="")
    assert principal.kind == "operator"


async def test_second_demo_run_reuses_the_console_accounts(server: RunningServer) -> None:
    first = await ensure_demo(server.services)
    second = await ensure_demo(server.services)
    assert second.consoles == first.consoles
    assert len(await server.services.auth.operators.list()) == 1
    administrators = await server.services.directory.administrators.list(first.enterprise.id)
    assert len(administrators) == 1
