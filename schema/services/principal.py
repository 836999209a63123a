"""Who is calling: a console user (JWT) or a service holding an API key, and from which address."""

from __future__ import annotations

from dataclasses import dataclass

from schema.errors import Forbidden, Unauthenticated
from schema.models import ApiKey, User


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. `api_key` is set when a service called with a key."""

    user: User | None = None
    api_key: ApiKey | None = None
    ip: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.api_key is None and self.user.is_admin

    def require_user(self) -> User:
        """The console user; API keys are not accepted here."""
        if self.user is None:
            raise Unauthenticated("sign in first")
        if self.api_key is not None:
            raise Forbidden("API keys can only send messages and read what they are scoped to")
        return self.user

    def require_admin(self) -> User:
        user = self.require_user()
        if not user.is_admin:
            raise Forbidden("only an admin can do this")
        return user

    def owner_filter(self) -> dict[str, int]:
        """Query filter limiting rows to what this caller may see (admins see everything)."""
        if self.user is None:
            raise Unauthenticated("sign in first")
        return {} if self.is_admin else {"owner_id": self.user.id}

    def check_owner(self, owner_id: int) -> None:
        if self.user is None:
            raise Unauthenticated("sign in first")
        if not self.is_admin and owner_id != self.user.id:
            raise Forbidden("this belongs to another user")


ANONYMOUS = Principal()
