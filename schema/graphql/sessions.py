"""Where a new console session goes: back to the caller as a token, or into the session cookie.

Services and scripts sign in for a token and send it as `Authorization: Bearer`. The web console
asks for the cookie instead (`login(cookie: true)`), so no script in its page ever holds the token;
a session that came with the cookie gets its replacement (after `changePassword`) there too.
"""

from __future__ import annotations

import strawberry

from schema.errors import BadInput
from schema.graphql.context import GraphQLContext, Info, SessionCookie
from schema.graphql.types import SessionPayload, UserNode
from schema.services.users import Session

COOKIE_ARG = (
    "Put the session in an HttpOnly cookie instead of the answer (as the web console does; "
    "over HTTP with the header X-PushNest-Console: 1 only)."
)


def cookie_to_set(ctx: GraphQLContext) -> SessionCookie:
    """The cookie this request may receive a session in, or BAD_INPUT saying why not."""
    cookie = ctx.session_cookie
    if cookie is None:
        raise BadInput("a session cookie can only be set over HTTP", field="cookie")
    if not cookie.usable:
        raise BadInput(cookie.refusal, field="cookie")
    return cookie


def session_payload(session: Session, cookie: SessionCookie | None) -> SessionPayload:
    """The answer for a new session: its token, or null when the cookie took it."""
    user = UserNode.of(session.user)
    if cookie is None:
        return SessionPayload(token=session.token, user=user)
    cookie.keep(session.token)
    return SessionPayload(token=None, user=user)


def replacement_cookie(ctx: GraphQLContext) -> SessionCookie | None:
    """Where a replaced session goes: the cookie, when the old one came from it."""
    return ctx.session_cookie if ctx.signed_in_by_cookie else None


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="Sign out this browser: clears the session cookie. A bearer token is kept by its "
        "holder, not by PushNest; it ends when it expires or the password changes."
    )
    def logout(self, info: Info) -> bool:
        if info.context.session_cookie is not None:
            info.context.session_cookie.clear()
        return True
