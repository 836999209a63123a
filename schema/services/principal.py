"""Who is calling: a console user (JWT) or a service holding an API key, and from which address."""

from __future__ import annotations

from dataclasses import dataclass

from schema.errors import Forbidden, NotFound, PasswordChangeRequired, TooManyRequests, Unauthenticated
from schema.models import ApiKey, User
from schema.models.security import KeyScope


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. `api_key` is set when a service called with a key."""

    user: User | None = None
    api_key: ApiKey | None = None
    ip: str = ""
    # Set when the caller presented credentials that did not check out (or too many bad ones):
    # fields that need a caller raise this instead of a plain "sign in first", so the client learns why.
    auth_error: Unauthenticated | TooManyRequests | None = None
    # Set when a compat endpoint let a Message Nest token stand in for an API key: the caller may
    # send to this one task or template (whose admin turned that on) and do nothing else.
    legacy_target: tuple[KeyScope, int] | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.is_console_user and self.user.is_admin

    @property
    def is_console_user(self) -> bool:
        """Signed in to the console, not calling with an API key or a Message Nest token."""
        return self.api_key is None and self.legacy_target is None

    def require_caller(self) -> User:
        """The user behind the call, whether they came with a session token or an API key."""
        if self.user is None:
            raise self.auth_error or Unauthenticated("sign in first")
        if self.user.must_change_password:
            raise PasswordChangeRequired("choose a new password first (changePassword)")
        return self.user

    def require_account(self) -> User:
        """The console user, even one who must still choose a new password: for `me`, `logout`
        and `changePassword`, the only things such an account may do."""
        if self.user is None:
            raise self.auth_error or Unauthenticated("sign in first")
        if self.api_key is not None:
            raise Forbidden("API keys can only send messages and read what they are scoped to")
        return self.user

    def require_user(self) -> User:
        """The console user; API keys are not accepted here."""
        user = self.require_caller()
        if not self.is_console_user:
            raise Forbidden("API keys can only send messages and read what they are scoped to")
        return user

    def require_admin(self) -> User:
        user = self.require_user()
        if not user.is_admin:
            raise Forbidden("only an admin can do this")
        return user

    def owner_filter(self) -> dict[str, int]:
        """Query filter limiting rows to what this caller may see (admins see everything)."""
        user = self.require_user()
        return {} if self.is_admin else {"owner_id": user.id}

    def check_owner(self, owner_id: int, what: str = "object") -> None:
        """Refuse another user's row. Reported as not found, so ids of others' rows are not probed."""
        user = self.require_user()
        if not self.is_admin and owner_id != user.id:
            raise NotFound(f"no {what} with this id")


ANONYMOUS = Principal()
