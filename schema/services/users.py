"""Accounts: the first admin, login with throttling, session checks, users and passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema import crypto
from schema.errors import BadInput, Conflict, TooManyRequests, Unauthenticated
from schema.models import User
from schema.models.users import Role
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.validation import Input, Password, Username, parse

ADMIN_USERNAME = "admin"
_BAD_LOGIN = "wrong username or password"


@dataclass(frozen=True)
class Session:
    token: str
    user: User


class NewUser(Input):
    username: Username
    password: Password
    role: Role = Role.MEMBER


class NewPassword(Input):
    new_password: Password


async def bootstrap_admin(admin_password: str | None) -> str | None:
    """Create `admin` on first start. Returns the generated password, if one was generated."""
    if await User.exists():
        return None
    password = admin_password or crypto.random_password()
    try:
        await User.create(
            username=ADMIN_USERNAME, password_hash=crypto.hash_password(password), role=Role.ADMIN
        )
    except IntegrityError:
        return None  # another process started at the same moment and won
    return None if admin_password else password


async def login(runtime: Runtime, principal: Principal, username: str, password: str) -> Session:
    """A session token for good credentials; failures are counted per client address."""
    throttle_key = principal.ip or "unknown"
    wait = await runtime.login_throttle.retry_after(throttle_key)
    if wait:
        raise TooManyRequests(f"too many failed logins from this address; try again in {wait}s", wait)
    user = await User.get_or_none(username=username[:64])
    if user is None:
        crypto.burn_password_check(password)
    if user is None or not user.is_active or not crypto.verify_password(user.password_hash, password):
        await runtime.login_throttle.record_failure(throttle_key)
        await audit.record(
            principal, "login.failed", "user", user.id if user else "", actor=user, actor_name=username[:64]
        )
        raise Unauthenticated(_BAD_LOGIN)
    user.last_login_at = datetime.now(UTC)
    await user.save(update_fields=["last_login_at"])
    await audit.record(principal, "login", "user", user.id, actor=user)
    return Session(token=runtime.tokens.issue(user.id, user.token_version), user=user)


async def user_for_token(runtime: Runtime, token: str) -> User:
    """The active user a session token belongs to, if the token is still valid."""
    claims = runtime.tokens.verify(token)
    user = await User.get_or_none(id=claims.user_id, is_active=True)
    if user is None or user.token_version != claims.token_version:
        raise Unauthenticated("session has ended; sign in again")
    return user


async def create_user(principal: Principal, username: str, password: str, role: Role) -> User:
    principal.require_admin()
    data = parse(NewUser, {"username": username, "password": password, "role": role})
    try:
        user = await User.create(
            username=data.username, password_hash=crypto.hash_password(data.password), role=data.role
        )
    except IntegrityError:
        raise Conflict(f"a user named {data.username!r} exists", field="username") from None
    await audit.record(
        principal,
        "user.create",
        "user",
        user.id,
        {"username": [None, user.username], "role": [None, user.role.value]},
    )
    return user


async def change_password(
    runtime: Runtime, principal: Principal, current_password: str, new_password: str
) -> Session:
    """Set a new password; every earlier session token stops working, the returned one works."""
    user = principal.require_user()
    data = parse(NewPassword, {"new_password": new_password})
    if not crypto.verify_password(user.password_hash, current_password):
        raise BadInput("current password is wrong", field="currentPassword")
    async with in_transaction():
        fresh = await User.select_for_update().get(id=user.id)
        fresh.password_hash = crypto.hash_password(data.new_password)
        fresh.token_version += 1
        await fresh.save(update_fields=["password_hash", "token_version", "updated_at"])
    await audit.record(
        principal, "user.change_password", "user", user.id, {"password": ["********", "********"]}
    )
    return Session(token=runtime.tokens.issue(fresh.id, fresh.token_version), user=fresh)


async def list_users(principal: Principal, first: int | None, after: str | None) -> Page[User]:
    principal.require_admin()
    return await paginate(User.all(), first, after)
