"""What every resolver gets: the caller and the process's runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry

from schema.services.principal import ANONYMOUS, Principal
from schema.services.runtime import Runtime


@dataclass
class GraphQLContext:
    """One per HTTP request, one per WebSocket (the principal is set on `connection_init`)."""

    runtime: Runtime
    principal: Principal = ANONYMOUS
    request: Any = None
    response: Any = None
    # Strawberry fills this from the WebSocket `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Info: TypeAlias = strawberry.Info[GraphQLContext, None]
