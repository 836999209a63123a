"""Sign-in, sessions, users, password changes and login throttling, over real HTTP."""

from __future__ import annotations

import secrets

from schema.models import AuditLog, User
from tests.helpers import ADMIN_PASSWORD, LOGIN, GraphQLClient, new_member, unique

ME = "{ me { username role } }"
CREATE_USER = "mutation($i: CreateUserInput!) { createUser(input: $i) { id username role } }"
CHANGE_PASSWORD = """mutation($c: String!, $n: String!) {
  changePassword(currentPassword: $c, newPassword: $n) { token user { username } } }"""


def fresh_ip() -> str:
    return f"203.0.113.{secrets.randbelow(250) + 1}"


async def test_login_gives_a_token_that_me_accepts(anonymous: GraphQLClient) -> None:
    data = await anonymous.call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    assert data["login"]["user"]["username"] == "admin"
    me = await anonymous.as_(data["login"]["token"]).call(ME)
    assert me["me"] == {"username": "admin", "role": "ADMIN"}


async def test_wrong_password_is_refused_and_audited(anonymous: GraphQLClient) -> None:
    ip = f"198.51.100.{secrets.randbelow(250) + 1}"
    error = await anonymous.as_(None, ip).fails(LOGIN, {"u": "admin", "p": "not-the-password"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    row = await AuditLog.filter(action="login.failed", ip=ip).first()
    assert row is not None and row.actor_name == "admin"


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(anonymous: GraphQLClient) -> None:
    error = await anonymous.as_(None, fresh_ip()).fails(LOGIN, {"u": "nobody-here", "p": "whatever"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == "wrong username or password"


async def test_successful_login_is_audited(anonymous: GraphQLClient) -> None:
    ip = fresh_ip()
    await anonymous.as_(None, ip).call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    assert await AuditLog.filter(action="login", ip=ip, actor_name="admin").exists()


async def test_login_is_throttled_per_client_address(anonymous: GraphQLClient) -> None:
    attacker = anonymous.as_(None, "192.0.2.77")
    for _ in range(5):  # PUSHNEST_LOGIN_MAX_ATTEMPTS=5 in the test settings
        error = await attacker.fails(LOGIN, {"u": "admin", "p": "guess"})
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await attacker.fails(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retry_after"] <= 60
    # Another address is not affected.
    ok = await anonymous.as_(None, "192.0.2.78").call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    assert ok["login"]["token"]


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(anonymous: GraphQLClient) -> None:
    # The loopback peer is trusted in tests; the address it forwards is what gets recorded.
    ip = fresh_ip()
    await anonymous.as_(None, f"{ip}, 127.0.0.1").call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    assert await AuditLog.filter(action="login", ip=ip).exists()


async def test_admin_creates_a_member_who_cannot_administer(admin: GraphQLClient) -> None:
    member, username = await new_member(admin)
    assert (await member.call(ME))["me"] == {"username": username, "role": "MEMBER"}
    error = await member.fails("{ users { totalCount } }")
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await member.fails(CREATE_USER, {"i": {"username": unique("x"), "password": "long-enough"}})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_create_user_rejects_bad_input_and_changes_nothing(admin: GraphQLClient) -> None:
    before = await User.all().count()
    cases = [
        ({"username": "ab", "password": "long-enough"}, "username"),
        ({"username": "has space", "password": "long-enough"}, "username"),
        ({"username": "x" * 65, "password": "long-enough"}, "username"),
        ({"username": unique("u"), "password": "short"}, "password"),
        ({"username": unique("u"), "password": "p" * 300}, "password"),
    ]
    for data, field in cases:
        error = await admin.fails(CREATE_USER, {"i": data})
        assert error["extensions"]["code"] == "BAD_INPUT", data
        assert error["extensions"]["field"] == field
    error = await admin.fails(CREATE_USER, {"i": {"username": "admin", "password": "long-enough"}})
    assert error["extensions"]["code"] == "CONFLICT"
    error = await admin.fails(
        CREATE_USER, {"i": {"username": unique("u"), "password": "x" * 10, "role": "ROOT"}}
    )
    assert "ROOT" in error["message"]
    assert await User.all().count() == before


async def test_users_lists_every_account_for_an_admin(admin: GraphQLClient) -> None:
    _, username = await new_member(admin)
    data = await admin.call("{ users(first: 100) { totalCount nodes { username } } }")
    assert username in [u["username"] for u in data["users"]["nodes"]]


async def test_password_change_ends_older_sessions(admin: GraphQLClient) -> None:
    member, username = await new_member(admin, password="first-password")
    second = member.as_((await member.call(LOGIN, {"u": username, "p": "first-password"}))["login"]["token"])
    error = await member.fails(CHANGE_PASSWORD, {"c": "wrong-current", "n": "second-password"})
    assert error["extensions"] == {"code": "BAD_INPUT", "field": "currentPassword"}
    data = await member.call(CHANGE_PASSWORD, {"c": "first-password", "n": "second-password"})
    for old in (member, second):
        error = await old.fails(ME)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await member.as_(data["changePassword"]["token"]).call(ME))["me"]["username"] == username
    error = await member.as_(None, fresh_ip()).fails(LOGIN, {"u": username, "p": "first-password"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await AuditLog.filter(action="user.change_password", actor_name=username).exists()


async def test_anonymous_callers_get_unauthenticated(anonymous: GraphQLClient) -> None:
    for query in (ME, "{ channels { totalCount } }", "{ tasks { totalCount } }", "{ channelTypes { key } }"):
        error = await anonymous.fails(query)
        assert error["extensions"]["code"] == "UNAUTHENTICATED", query
