"""`build_schema()`: the schema with caching, limits and error masking set up once."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.graphql.mutations import Mutation
from schema.graphql.public_errors import ParserCacheInsideOperation, PublicErrors, log_unexpected
from schema.graphql.queries import Query
from schema.graphql.scalars import SCALARS
from schema.graphql.shared_events import SharedEventExecutor
from schema.graphql.subscriptions import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Built once: limiter instances make new rule classes, and new rules defeat the ValidationCache.
_LIMIT_RULES = tuple(
    QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules
    + MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules
)


class PushNestSchema(strawberry.Schema):
    """Logs only unexpected errors: a client's typed or validation error is not a server problem,
    and an outage of the database or Redis gets one line rather than a traceback per request."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = log_unexpected(errors)
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(introspection: bool = True) -> strawberry.Schema:
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: ParserCacheInsideOperation(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: AddValidationRules(list(_LIMIT_RULES)),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: PublicErrors(hide_suggestions=not introspection),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return PushNestSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
        # Lets the WebSocket transport render each subscription event once for all its receivers.
        execution_context_class=SharedEventExecutor,
    )
