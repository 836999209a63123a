"""Accounts: the first admin, login with throttling, session checks, users and passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema import crypto
from schema.errors import BadInput, Conflict, NotFound, Unauthenticated
from schema.models import User
from schema.models.users import Role
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.validation import Input, Password, Username, parse
from schema.tokens import TokenClaims

ADMIN_USERNAME = "admin"
_BAD_LOGIN = "wrong username or password"


@dataclass(frozen=True)
class Session:
    token: str
    user: User


# Case-folded, so "Ops" and "ops" are one group.
GroupName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=64, pattern=r"^[^,\s]+$"
    ),
]
MAX_GROUPS = 20


class NewUser(Input):
    username: Username
    password: Password
    role: Role = Role.MEMBER
    groups: list[GroupName] = Field(default_factory=list, max_length=MAX_GROUPS)


class NewPassword(Input):
    new_password: Password


class ResetPassword(Input):
    password: Password


class UserChanges(Input):
    role: Role | None = None
    is_active: bool | None = None
    password: Password | None = None
    groups: list[GroupName] | None = Field(default=None, max_length=MAX_GROUPS)


async def bootstrap_admin(admin_password: str | None) -> str | None:
    """Create `admin` on first start. Returns the generated password, if one was generated."""
    await crypto.prepare_dummy_hash()
    if await User.exists():
        return None
    password = admin_password or crypto.random_password()
    try:
        await User.create(
            username=ADMIN_USERNAME,
            password_hash=await crypto.hash_password_off_loop(password),
            role=Role.ADMIN,
        )
    except IntegrityError:
        return None  # another process started at the same moment and won
    return None if admin_password else password


async def login(runtime: Runtime, principal: Principal, username: str, password: str) -> Session:
    """A session token for good credentials.

    Each attempt takes a slot per client address and per username before the password is
    checked. Unknown, deactivated and active users all cost one argon2 check and get one answer.
    """
    name = username[:64]
    reservation = await runtime.throttles.reserve_login(principal.ip, name)
    user = await User.get_or_none(username=name)
    matches = await crypto.verify_password_off_loop(user.password_hash if user else None, password)
    if user is None or not user.is_active or not matches:
        await audit.record(
            principal, "login.failed", "user", user.id if user else "", actor=user, actor_name=name
        )
        raise Unauthenticated(_BAD_LOGIN)
    await reservation.release()
    user.last_login_at = datetime.now(UTC)
    await user.save(update_fields=["last_login_at"])
    await audit.record(principal, "login", "user", user.id, actor=user)
    return Session(token=runtime.tokens.issue(user.id, user.token_version), user=user)


async def user_for_claims(claims: TokenClaims) -> User:
    """The active user of a verified token, if the token has not been ended since (token_version)."""
    user = await User.get_or_none(id=claims.user_id, is_active=True)
    if user is None or user.token_version != claims.token_version:
        raise Unauthenticated("session has ended; sign in again")
    return user


async def create_user(
    principal: Principal, username: str, password: str, role: Role, groups: list[str] | None = None
) -> User:
    principal.require_admin()
    data = parse(NewUser, {"username": username, "password": password, "role": role, "groups": groups or []})
    try:
        user = await User.create(
            username=data.username,
            password_hash=await crypto.hash_password_off_loop(data.password),
            role=data.role,
            groups=_group_list(data.groups),
        )
    except IntegrityError:
        raise Conflict(f"a user named {data.username!r} exists", field="username") from None
    changes: dict[str, list[Any]] = {"username": [None, user.username], "role": [None, user.role.value]}
    if user.groups:
        changes["groups"] = [None, user.groups]
    await audit.record(principal, "user.create", "user", user.id, changes)
    return user


def _group_list(groups: list[str]) -> list[str]:
    return sorted(set(groups))


async def change_password(
    runtime: Runtime, principal: Principal, current_password: str, new_password: str
) -> Session:
    """Set a new password; every earlier session token stops working, the returned one works.

    Wrong current passwords are throttled per user, like sign-ins: a stolen session must not
    become an unlimited password oracle."""
    user = principal.require_account()  # an account that must change its password may do just this
    data = parse(NewPassword, {"new_password": new_password})
    reservation = await runtime.throttles.reserve_password_check(user.id)
    if not await crypto.verify_password_off_loop(user.password_hash, current_password):
        raise BadInput("current password is wrong", field="currentPassword")
    await reservation.release()
    new_hash = await crypto.hash_password_off_loop(data.new_password)
    async with in_transaction():
        fresh = await User.select_for_update().get(id=user.id)
        fresh.password_hash = new_hash
        fresh.token_version += 1
        fresh.must_change_password = False
        await fresh.save(
            update_fields=["password_hash", "token_version", "must_change_password", "updated_at"]
        )
    await audit.record(
        principal, "user.change_password", "user", user.id, {"password": ["********", "********"]}
    )
    return Session(token=runtime.tokens.issue(fresh.id, fresh.token_version), user=fresh)


async def reset_password(username: str, password: str) -> User:
    """For `pushnest reset-password` (a lost admin password need not mean a new data dir): a new
    password for `username`, every session of theirs ended, the change audited."""
    new_hash = await crypto.hash_password_off_loop(parse(ResetPassword, {"password": password}).password)
    async with in_transaction():
        user = await User.select_for_update().get_or_none(username=username[:64])
        if user is None:
            raise NotFound(f"no user named {username[:64]!r}")
        user.password_hash = new_hash
        user.token_version += 1
        await user.save(update_fields=["password_hash", "token_version", "updated_at"])
    await audit.record(
        Principal(ip="cli"),
        "user.reset_password",
        "user",
        user.id,
        {"password": [audit.MASK, audit.MASK]},
        actor_name="pushnest reset-password",
    )
    return user


async def list_users(principal: Principal, first: int | None, after: str | None) -> Page[User]:
    principal.require_admin()
    return await paginate(User.all(), first, after)


async def update_user(principal: Principal, user_id: int, changes: dict[str, Any]) -> User:
    """Admins only: set the role, the active flag, a new password, the groups (None keeps each).

    A new password or a deactivation ends every session of the user. The last active admin
    cannot be demoted or deactivated, and nobody deactivates themselves.
    """
    me = principal.require_admin()
    data = parse(UserChanges, changes)
    new_hash = None if data.password is None else await crypto.hash_password_off_loop(data.password)
    async with in_transaction():
        # Active admins first, in id order: two admins demoting each other at once take turns.
        admins = await User.filter(role=Role.ADMIN, is_active=True).order_by("id").select_for_update()
        user = await User.select_for_update().get_or_none(id=user_id)
        if user is None:
            raise NotFound("no user with this id")
        before = _shown(user)
        role = data.role or user.role
        active = user.is_active if data.is_active is None else data.is_active
        if user.id == me.id and not active:
            raise BadInput("you cannot deactivate your own account; another admin can", field="isActive")
        if user.is_admin and user.is_active and not (role is Role.ADMIN and active):
            _keep_an_admin(user, admins, "role" if role is not Role.ADMIN else "isActive")
        ends_sessions = new_hash is not None or (user.is_active and not active)
        user.role, user.is_active = role, active
        if data.groups is not None:
            user.groups = _group_list(data.groups)
        if new_hash is not None:
            user.password_hash = new_hash
        if ends_sessions:
            user.token_version += 1
        await user.save(
            update_fields=["role", "is_active", "groups", "password_hash", "token_version", "updated_at"]
        )
    changes_seen = audit.diff(before, _shown(user))
    if data.password is not None:
        changes_seen["password"] = [audit.MASK, audit.MASK]
    await audit.record(principal, "user.update", "user", user.id, changes_seen)
    return user


def _shown(user: User) -> dict[str, Any]:
    """What the audit log compares (the password hash is not shown, only that it changed)."""
    return {"role": user.role.value, "is_active": user.is_active, "groups": sorted(user.group_set)}


def _keep_an_admin(user: User, active_admins: list[User], field: str) -> None:
    if not any(admin.id != user.id for admin in active_admins):
        raise Conflict(
            f"{user.username!r} is the last active admin; make another user an admin first", field=field
        )
