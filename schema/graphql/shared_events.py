"""One rendering per event, not per subscriber: the fast path of subscription fan-out.

graphql-core executes a subscription's selection set once per event *per subscriber*, and
Strawberry then runs its result pipeline and serializes the frame, again per subscriber: with
thousands of subscribers to one stream that is nearly all of the server's work. Here an event
payload that is a `SharedNode` (built once per event and handed to every subscriber that
receives it, see `schema.hub.Published`) is executed once per *plan* (the document and the
variables that can change its result) and serialized once; the transport then writes that text
to every socket, splicing in each operation's id.

Which events a subscriber gets (auth, filters, resume, lag) is still decided by the resolver and
`schema.services.live.follow`; only the rendering and the sending are shared. The transport opts
in per operation by setting `FRAME_SINK` in the task that runs it (`server.graphql_ws`); without
a sink (the legacy `graphql-ws` protocol, tests calling `Schema.subscribe`) every event takes
graphql-core's path. An event whose rendering has errors also takes that path, so errors are
masked and logged as before.

Live events reach a waiting subscriber through `schema.hub.DIRECT_SINK`: the publisher renders
(once) and writes the frame itself, without waking the operation's task (see `schema.hub`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Hashable
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from graphql import (
    ExecutionResult,
    FieldNode,
    Node,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    execute_subscription_event,
    visit,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.hub import DIRECT_SINK

T = TypeVar("T")
_UNSHAREABLE = ""  # the "rendering" of an event with errors: it takes the regular path


class FrameSink(Protocol):
    """Where an operation's `next` frames go; `payload` is the serialized `{"data": …}` object.
    Frames leave in the order they are given, whichever method takes them."""

    def send_now(self, payload: str) -> bool:
        """Send without waiting (the write may finish later); False if that cannot be done now."""
        ...

    async def send_payload(self, payload: str) -> None: ...

    async def flush(self) -> None:
        """Wait until what `send_now` took has been written."""
        ...


FRAME_SINK: ContextVar[FrameSink | None] = ContextVar("pushnest_frame_sink", default=None)


class SharedNode:
    """Base of subscription payloads that are built once per event and sent to many subscribers.

    Contract: every field of such a node (and of the objects below it) is a pure function of the
    node's own data, never of the caller or the context, so one rendering fits every receiver.
    """

    def renderings(self) -> dict[Hashable, str]:
        """This node's serialized payloads, by plan."""
        # In the instance dict, not a declared attribute: the subclasses are Strawberry types.
        frames: dict[Hashable, str] | None = self.__dict__.get("_renderings")
        if frames is None:
            frames = self.__dict__["_renderings"] = {}
        return frames


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core executor that hands a subscription's events to the operation's `FrameSink`."""

    def cancellable_iterable(self, iterable: AsyncIterable[T]) -> AsyncIterable[T]:
        source = super().cancellable_iterable(iterable)
        sink = FRAME_SINK.get()
        plan = _plan(self) if sink is not None else None
        if sink is None or plan is None:
            return source
        frames = _SharedFrames(self, source, sink, plan)
        # Runs in the operation's task, before the resolver's body starts: `follow` finds it there.
        DIRECT_SINK.set(frames.send_now)
        return frames


class _SharedFrames(AsyncIterator[T]):
    """The source stream as graphql-core sees it: shared nodes are rendered (once per plan) and
    sent here; only what cannot be shared is returned, for graphql-core to execute as usual."""

    def __init__(
        self, executor: SharedEventExecutor, source: AsyncIterable[T], sink: FrameSink, plan: Hashable
    ):
        self._executor = executor
        self._events = source.__aiter__()
        self._sink = sink
        self._plan = plan

    def __aiter__(self) -> _SharedFrames[T]:
        return self

    async def __anext__(self) -> T:
        events, plan, send = self._events, self._plan, self._sink.send_payload
        while True:
            try:
                event = await events.__anext__()
            except Exception:  # the end, or an error: Strawberry's frames must follow ours
                await self._sink.flush()
                raise
            if not isinstance(event, SharedNode):
                await self._sink.flush()
                return event
            frames = event.renderings()
            payload = frames.get(plan)
            if payload is None:
                payload = frames[plan] = await self._render(event)
            if payload == _UNSHAREABLE:
                await self._sink.flush()
                return event
            await send(payload)

    def send_now(self, event: object) -> bool:
        """For the publisher (`DIRECT_SINK`): render and send `event` at once, if it can be."""
        if not isinstance(event, SharedNode):
            return False
        frames = event.renderings()
        payload = frames.get(self._plan)
        if payload is None:
            result = execute_subscription_event(self._executor.build_per_event_executor(event))
            if not isinstance(result, ExecutionResult):  # an async field: render in the task
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                return False
            payload = frames[self._plan] = _serialized(result)
        return payload != _UNSHAREABLE and self._sink.send_now(payload)

    async def aclose(self) -> None:
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()

    async def _render(self, event: SharedNode) -> str:
        result = execute_subscription_event(self._executor.build_per_event_executor(event))
        if not isinstance(result, ExecutionResult):
            result = await result
        return _serialized(result)


def _serialized(result: ExecutionResult) -> str:
    if result.errors:
        return _UNSHAREABLE
    return json.dumps({"data": result.data}, separators=(",", ":"))


def _plan(executor: SharedEventExecutor) -> Hashable | None:
    """What, besides the event, decides a rendering: the document, the operation and the variables
    used below the root field (its own arguments only choose events). None if not shareable."""
    operation = executor.operation
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode) or operation.loc is None:
        return None
    root = selections[0]
    used: set[str] = set()
    nodes: list[Node] = [*(operation.directives or ()), *(root.directives or ())]
    if root.selection_set is not None:
        nodes.append(root.selection_set)
    nodes.extend(executor.fragment_definitions.values())
    for node in nodes:
        visit(node, _VariableNames(used))
    coerced = executor.variable_values.coerced
    try:
        variables = tuple((name, json.dumps(coerced.get(name), sort_keys=True)) for name in sorted(used))
    except (TypeError, ValueError):
        return None  # a value JSON cannot spell exactly: no key can tell it from another
    return (operation.loc.source.body, _name(operation), variables)


def _name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else ""


class _VariableNames(Visitor):
    def __init__(self, into: set[str]) -> None:
        super().__init__()
        self.into = into

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.into.add(node.name.value)
