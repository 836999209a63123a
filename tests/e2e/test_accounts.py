"""Sign-in, sessions, users, password changes and login throttling, over real HTTP."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from schema.models import AuditLog, User
from schema.models.users import Role
from tests.helpers import ADMIN_PASSWORD, LOGIN, GraphQLClient, code_and_field, new_member, unique

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
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "currentPassword"}
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


UPDATE_USER = """mutation($id: Int!, $i: UpdateUserInput!) {
  updateUser(id: $id, input: $i) { id username role isActive } }"""
CREATE_KEY = 'mutation { createApiKey(input: {name: "k", scope: ALL}) { key } }'


async def _user_id(username: str) -> int:
    return (await User.get(username=username)).id


@pytest.fixture
async def sole_admin(admin: GraphQLClient) -> AsyncIterator[int]:
    """`admin` as the only active admin for the test; admins made by other tests come back after."""
    others = (
        await User.filter(role=Role.ADMIN, is_active=True)
        .exclude(username="admin")
        .values_list("id", flat=True)
    )
    await User.filter(id__in=list(others)).update(is_active=False)
    try:
        yield await _user_id("admin")
    finally:
        await User.filter(id__in=list(others)).update(is_active=True)
        await User.filter(username="admin").update(role=Role.ADMIN, is_active=True)


async def test_only_admins_update_users(admin: GraphQLClient, anonymous: GraphQLClient) -> None:
    member, username = await new_member(admin)
    target = await _user_id(username)
    error = await member.fails(UPDATE_USER, {"id": target, "i": {"role": "ADMIN"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await anonymous.fails(UPDATE_USER, {"id": target, "i": {"role": "ADMIN"}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await admin.fails(UPDATE_USER, {"id": 10**9, "i": {"role": "ADMIN"}})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await User.get(id=target)).role == Role.MEMBER


async def test_admin_promotes_and_demotes_a_user(admin: GraphQLClient) -> None:
    member, username = await new_member(admin)
    target = await _user_id(username)
    data = await admin.call(UPDATE_USER, {"id": target, "i": {"role": "ADMIN"}})
    assert data["updateUser"] == {"id": target, "username": username, "role": "ADMIN", "isActive": True}
    # The same session now administers: roles are read per request, not from the token.
    assert (await member.call("{ users { totalCount } }"))["users"]["totalCount"] >= 2
    await admin.call(UPDATE_USER, {"id": target, "i": {"role": "MEMBER"}})
    assert (await member.fails("{ users { totalCount } }"))["extensions"]["code"] == "FORBIDDEN"
    rows = await AuditLog.filter(action="user.update", object_id=str(target)).order_by("id")
    assert [r.diff for r in rows] == [{"role": ["member", "admin"]}, {"role": ["admin", "member"]}]


async def test_password_reset_ends_the_users_sessions(admin: GraphQLClient) -> None:
    member, username = await new_member(admin, password="first-password")
    target = await _user_id(username)
    error = await admin.fails(UPDATE_USER, {"id": target, "i": {"password": "short"}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "password"}
    assert (await member.call(ME))["me"]["username"] == username

    await admin.call(UPDATE_USER, {"id": target, "i": {"password": "reset-password"}})
    assert (await member.fails(ME))["extensions"]["code"] == "UNAUTHENTICATED"
    error = await admin.as_(None, fresh_ip()).fails(LOGIN, {"u": username, "p": "first-password"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await admin.as_(None, fresh_ip()).call(LOGIN, {"u": username, "p": "reset-password"}))["login"]
    row = await AuditLog.filter(action="user.update", object_id=str(target)).order_by("-id").first()
    assert row is not None and row.actor_name == "admin"
    assert row.diff == {"password": ["********", "********"]}
    assert "reset-password" not in str(row.diff)


async def test_a_deactivated_user_is_locked_out(admin: GraphQLClient) -> None:
    member, username = await new_member(admin, password="member-password")
    target = await _user_id(username)
    key = (await member.call(CREATE_KEY))["createApiKey"]["key"]
    as_key = member.as_(key)
    assert (await as_key.call("{ channelTypes { key } }"))["channelTypes"]

    data = await admin.call(UPDATE_USER, {"id": target, "i": {"isActive": False}})
    assert data["updateUser"]["isActive"] is False
    for client in (member, as_key):
        error = await client.fails("{ channelTypes { key } }")
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await admin.as_(None, fresh_ip()).fails(LOGIN, {"u": username, "p": "member-password"})
    assert error["message"] == "wrong username or password"

    # Switched back on, the user signs in again; tokens from before stay dead.
    await admin.call(UPDATE_USER, {"id": target, "i": {"isActive": True}})
    assert (await member.fails(ME))["extensions"]["code"] == "UNAUTHENTICATED"
    fresh = await admin.as_(None, fresh_ip()).call(LOGIN, {"u": username, "p": "member-password"})
    assert (await admin.as_(fresh["login"]["token"]).call(ME))["me"]["username"] == username
    rows = await AuditLog.filter(action="user.update", object_id=str(target)).order_by("id")
    assert [r.diff for r in rows] == [{"is_active": [True, False]}, {"is_active": [False, True]}]


async def test_admins_cannot_deactivate_themselves(admin: GraphQLClient) -> None:
    me = await _user_id("admin")
    error = await admin.fails(UPDATE_USER, {"id": me, "i": {"isActive": False}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "isActive"}
    assert "your own account" in error["message"]
    assert (await User.get(id=me)).is_active


async def test_the_last_active_admin_stays_an_active_admin(admin: GraphQLClient, sole_admin: int) -> None:
    error = await admin.fails(UPDATE_USER, {"id": sole_admin, "i": {"role": "MEMBER"}})
    assert code_and_field(error) == {"code": "CONFLICT", "field": "role"}
    assert "last active admin" in error["message"]
    user = await User.get(id=sole_admin)
    assert user.role == Role.ADMIN and user.is_active

    # With a second admin, either may be demoted or deactivated (by the other), but not the last.
    second, username = await new_member(admin)
    other = await _user_id(username)
    await admin.call(UPDATE_USER, {"id": other, "i": {"role": "ADMIN"}})
    await second.call(UPDATE_USER, {"id": sole_admin, "i": {"role": "MEMBER"}})
    error = await second.fails(UPDATE_USER, {"id": other, "i": {"role": "MEMBER"}})
    assert error["extensions"]["code"] == "CONFLICT"
    await second.call(UPDATE_USER, {"id": sole_admin, "i": {"role": "ADMIN"}})
    await admin.call(UPDATE_USER, {"id": other, "i": {"isActive": False}})
    error = await admin.fails(UPDATE_USER, {"id": sole_admin, "i": {"role": "MEMBER"}})
    assert error["extensions"]["code"] == "CONFLICT"
    assert (await User.get(id=sole_admin)).role == Role.ADMIN
