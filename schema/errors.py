"""One error tree with stable codes. Clients match on `code`, never on messages.

    PushNestError                      code
    ├── ConfigError                    CONFIG        (start-up only, never reaches a client)
    ├── BadInput                       BAD_INPUT     (with the offending field)
    ├── NotFound                       NOT_FOUND
    ├── Conflict                       CONFLICT
    ├── Unauthenticated                UNAUTHENTICATED
    ├── Forbidden                      FORBIDDEN
    ├── TooManyRequests                RATE_LIMITED  (with retry_after seconds)
    ├── Unavailable                    UNAVAILABLE   (the database or Redis does not answer: HTTP 503)
    └── Internal                       INTERNAL      (anything unexpected: logged, shown masked)

GraphQL errors carry `extensions.code` (graphql-core copies `extensions` from the original error).
Where a client may want to put an error in its own words (the console does, in English and Chinese),
it also carries `extensions.reason`, a stable name for the rule that refused it, and
`extensions.args`, the values its words need; `message` stays the English for every other client.
`Unavailable` and `Internal` are not raised by services: the API turns driver failures and bugs
into them at its edges (`schema.graphql.public_errors`, `server.failsafe`), so no code path can
forget to.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PushNestError(Exception):
    """An expected failure that is safe to show to the caller."""

    code: ClassVar[str] = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        args: dict[str, str | int] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.details = {"reason": reason, "args": args, **details}

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **{k: v for k, v in self.details.items() if v is not None}}


class ConfigError(PushNestError):
    code = "CONFIG"


class BadInput(PushNestError):
    code = "BAD_INPUT"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class NotFound(PushNestError):
    code = "NOT_FOUND"


class Conflict(PushNestError):
    code = "CONFLICT"


class Unauthenticated(PushNestError):
    code = "UNAUTHENTICATED"


class Forbidden(PushNestError):
    code = "FORBIDDEN"


class PasswordChangeRequired(Forbidden):
    """The account's password came from elsewhere (an import): it may only choose a new one."""

    code = "PASSWORD_CHANGE_REQUIRED"


class TooManyRequests(PushNestError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class Unavailable(PushNestError):
    code = "UNAVAILABLE"


class Internal(PushNestError):
    code = "INTERNAL"
