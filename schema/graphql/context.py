"""What every resolver gets: the caller and the process's runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import strawberry

from schema.services.principal import ANONYMOUS, Principal
from schema.services.runtime import Runtime


class SessionCookie(Protocol):
    """Where a browser keeps its console session: an HttpOnly cookie the page's script cannot read.

    The HTTP transport provides it (`server.session_cookie`); `usable` says whether this request
    may use a cookie at all (the console's header, an allowed origin), `refusal` why not.
    """

    @property
    def usable(self) -> bool: ...

    @property
    def refusal(self) -> str: ...

    def keep(self, token: str) -> None: ...

    def clear(self) -> None: ...


@dataclass
class GraphQLContext:
    """One per HTTP request, one per WebSocket (the principal is set on `connection_init`)."""

    runtime: Runtime
    principal: Principal = ANONYMOUS
    request: Any = None
    response: Any = None
    # Strawberry fills this from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    # HTTP only: the session cookie, and whether this request signed in with it.
    session_cookie: SessionCookie | None = None
    signed_in_by_cookie: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Info: TypeAlias = strawberry.Info[GraphQLContext, None]
