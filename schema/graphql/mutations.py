"""Root mutation fields: parse the input, call one service, map the result."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from schema.errors import BadInput
from schema.graphql.context import Info
from schema.graphql.cron import CronMutation
from schema.graphql.inbox import InboxMutations
from schema.graphql.inputs import (
    CreateApiKeyInput,
    CreateChannelInput,
    CreateTaskInput,
    CreateTemplateInput,
    CreateUserInput,
    UpdateChannelInput,
    UpdateTaskInput,
    UpdateTemplateInput,
    UpdateUserInput,
    as_dict,
    bindings_of,
)
from schema.graphql.messages import MessageMutations, PreviewMutations
from schema.graphql.sessions import (
    COOKIE_ARG,
    SessionMutations,
    cookie_to_set,
    replacement_cookie,
    session_payload,
)
from schema.graphql.site import SiteMutation
from schema.graphql.types import (
    ApiKeyNode,
    ChannelNode,
    ChannelTestResult,
    CreateApiKeyPayload,
    DeletedPayload,
    SessionPayload,
    TaskNode,
    TemplateNode,
    UserNode,
    task_node,
    template_node,
)
from schema.models.security import KeyScope
from schema.models.users import Role
from schema.services import api_keys, channel_test, channels, tasks, templates, users
from schema.services.caches import CALLERS, TARGETS, changed


@strawberry.type
class Mutation(
    MessageMutations, PreviewMutations, InboxMutations, CronMutation, SiteMutation, SessionMutations
):
    @strawberry.mutation(description="Sign in. Failed attempts are limited per client address.")
    async def login(
        self,
        info: Info,
        username: str,
        password: str,
        cookie: Annotated[bool, strawberry.argument(description=COOKIE_ARG)] = False,
    ) -> SessionPayload:
        ctx = info.context
        to_cookie = cookie_to_set(ctx) if cookie else None
        session = await users.login(ctx.runtime, ctx.principal, username, password)
        return session_payload(session, to_cookie)

    @strawberry.mutation(
        description="Change your password; every other session token stops working. A session "
        "signed in with the cookie gets its new one there."
    )
    async def change_password(self, info: Info, current_password: str, new_password: str) -> SessionPayload:
        ctx = info.context
        session = await users.change_password(ctx.runtime, ctx.principal, current_password, new_password)
        await changed(ctx.runtime, CALLERS)
        ctx.runtime.sessions.check_now()  # end this user's other open WebSockets now
        return session_payload(session, replacement_cookie(ctx))

    @strawberry.mutation(description="Add a user (admins only).")
    async def create_user(self, info: Info, input: CreateUserInput) -> UserNode:
        data = as_dict(input)
        row = await users.create_user(
            info.context.principal, data["username"], data["password"], Role(data["role"]), data["groups"]
        )
        return UserNode.of(row)

    @strawberry.mutation(
        description="Change a user's role, active flag, password or groups (admins only). A new password or a "
        "deactivation ends every session of that user. The last active admin cannot be demoted or "
        "deactivated (CONFLICT), nor can you deactivate yourself (BAD_INPUT)."
    )
    async def update_user(self, info: Info, id: int, input: UpdateUserInput) -> UserNode:
        row = await users.update_user(info.context.principal, id, as_dict(input, drop_none=True))
        await changed(info.context.runtime, CALLERS)
        info.context.runtime.sessions.check_now()
        return UserNode.of(row)

    @strawberry.mutation
    async def create_channel(self, info: Info, input: CreateChannelInput) -> ChannelNode:
        ctx = info.context
        config = _object(input.config)
        row = await channels.create_channel(
            ctx.runtime,
            ctx.principal,
            input.name,
            input.type,
            config,
            input.enabled,
            input.allow_private_targets,
        )
        return ChannelNode.of(channels.masked(ctx.runtime, row))

    @strawberry.mutation
    async def update_channel(self, info: Info, id: int, input: UpdateChannelInput) -> ChannelNode:
        ctx = info.context
        config = None if input.config is None else _object(input.config)
        row = await channels.update_channel(
            ctx.runtime, ctx.principal, id, input.name, config, input.enabled, input.allow_private_targets
        )
        await changed(ctx.runtime, TARGETS)
        return ChannelNode.of(channels.masked(ctx.runtime, row))

    @strawberry.mutation(
        description="Send a real test message through a channel; returns the vendor's answer."
    )
    async def test_channel(
        self, info: Info, id: int, receivers: list[str] | None = None
    ) -> ChannelTestResult:
        ctx = info.context
        result = await channel_test.test_channel(ctx.runtime, ctx.principal, id, receivers or [])
        return ChannelTestResult(
            ok=result.ok,
            error_class=result.error_class,
            message=result.message,
            vendor_response=result.vendor_response,
            latency_ms=result.latency_ms,
        )

    @strawberry.mutation(description="Delete a channel that no task or template uses.")
    async def delete_channel(self, info: Info, id: int) -> DeletedPayload:
        await channels.delete_channel(info.context.principal, id)
        await changed(info.context.runtime, TARGETS)
        return DeletedPayload(id=id)

    @strawberry.mutation
    async def create_task(self, info: Info, input: CreateTaskInput) -> TaskNode:
        fields = as_dict(input, skip=("bindings",))
        row = await tasks.create_task(info.context.principal, fields, bindings_of(input.bindings) or [])
        return await task_node(row)

    @strawberry.mutation
    async def update_task(self, info: Info, id: int, input: UpdateTaskInput) -> TaskNode:
        fields = as_dict(input, drop_none=True, skip=("bindings",))
        row = await tasks.update_task(info.context.principal, id, fields, bindings_of(input.bindings))
        await changed(info.context.runtime, TARGETS)
        return await task_node(row)

    @strawberry.mutation
    async def delete_task(self, info: Info, id: int) -> DeletedPayload:
        await tasks.delete_task(info.context.principal, id)
        await changed(info.context.runtime, TARGETS)
        return DeletedPayload(id=id)

    @strawberry.mutation
    async def create_template(self, info: Info, input: CreateTemplateInput) -> TemplateNode:
        fields = as_dict(input, skip=("bindings",))
        row = await templates.create_template(
            info.context.principal, fields, bindings_of(input.bindings) or []
        )
        return await template_node(row)

    @strawberry.mutation
    async def update_template(self, info: Info, id: int, input: UpdateTemplateInput) -> TemplateNode:
        fields = as_dict(input, drop_none=True, skip=("bindings",))
        row = await templates.update_template(info.context.principal, id, fields, bindings_of(input.bindings))
        await changed(info.context.runtime, TARGETS)
        return await template_node(row)

    @strawberry.mutation
    async def delete_template(self, info: Info, id: int) -> DeletedPayload:
        await templates.delete_template(info.context.principal, id)
        await changed(info.context.runtime, TARGETS)
        return DeletedPayload(id=id)

    @strawberry.mutation(description="Make an API key. The key is in the answer this once only.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        data = as_dict(input)
        made = await api_keys.create_api_key(
            info.context.principal,
            data["name"],
            KeyScope(data["scope"]),
            data["task_id"],
            data["template_id"],
            data["expires_at"],
        )
        return CreateApiKeyPayload(key=made.secret, api_key=ApiKeyNode.of(made.api_key))

    @strawberry.mutation(description="Revoke an API key: it stops working at once, for good.")
    async def revoke_api_key(self, info: Info, id: int) -> ApiKeyNode:
        revoked = await api_keys.revoke_api_key(info.context.principal, id)
        await changed(info.context.runtime, CALLERS)
        info.context.runtime.sessions.check_now()
        return ApiKeyNode.of(revoked)


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput("config must be a JSON object", field="config")
    return value
