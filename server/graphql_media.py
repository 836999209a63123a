"""GraphQL over HTTP's answer media type: `application/graphql-response+json` for clients that ask.

With the legacy `application/json` every answer is 200 (a request error too, with `data: null`).
A client that prefers `application/graphql-response+json` gets it, and with it the status codes
the GraphQL-over-HTTP spec defines: a request that never ran (it did not parse, did not validate,
or its variables could not be coerced) is 400 and has no `data` key; a field error leaves `data`
there and the status 200. Kept to these two functions so the view's hot path pays one substring
test for clients that do not ask.
"""

from __future__ import annotations

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
_JSON = "application/json"


def wants_graphql_response(accept: str | None) -> bool:
    """Whether `Accept` lists graphql-response+json at least as high as application/json."""
    if not accept or GRAPHQL_RESPONSE not in accept:
        return False
    quality = _qualities(accept)
    return quality.get(GRAPHQL_RESPONSE, 0.0) > 0 and quality[GRAPHQL_RESPONSE] >= quality.get(_JSON, 0.0)


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: every error comes before execution, so none has a field path."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or ())


def _qualities(accept: str) -> dict[str, float]:
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media.lower()] = max(q, quality.get(media.lower(), 0.0))
    return quality
