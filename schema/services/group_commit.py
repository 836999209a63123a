"""Group commit: calls that want to write at about the same moment share one transaction.

In an alert storm hundreds of single-message sends arrive per second; one transaction each costs
a BEGIN, a COMMIT (a log flush) and the ORM's work per call. Here the first caller writes at once;
callers arriving while that transaction runs wait, and the next transaction writes all of them
together. An idle server adds no delay, a busy one batches more the busier it is.

If a group's transaction fails, each call's items are written again in a transaction of their
own, so one call's conflict (an idempotency key taken meanwhile) never fails its neighbours, and
each call gets exactly its own result or error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# Items in one transaction: large enough to amortise the commit, small enough that the
# transaction's locks (foreign-key share locks on the API key, task and channel rows, which an
# UPDATE of the key's last use waits for) and the first caller's wait stay short.
MAX_GROUP_ITEMS = 100


@dataclass
class _Call(Generic[T, R]):
    items: list[T]
    answer: asyncio.Future[list[R]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[T, R]):
    """`write(items, write_all)` returns `write_all`'s results for those items, written together with
    the items of concurrent calls. `write_all` writes in one transaction and returns one result per
    item, in order; every caller of one GroupCommit passes the same function."""

    def __init__(self) -> None:
        self._waiting: list[_Call[T, R]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, items: list[T], write_all: Callable[[list[T]], Awaitable[list[R]]]) -> list[R]:
        call: _Call[T, R] = _Call(items)
        self._waiting.append(call)
        self._write_all = write_all
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        # Shielded: a caller that goes away does not stop the group's transaction mid-way.
        return await asyncio.shield(call.answer)

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # calls made in the same turn of the loop join the first group
        while self._waiting:
            group = self._take()
            await self._write_group(group)

    def _take(self) -> list[_Call[T, R]]:
        group: list[_Call[T, R]] = []
        count = 0
        while self._waiting and (not group or count + len(self._waiting[0].items) <= MAX_GROUP_ITEMS):
            call = self._waiting.pop(0)
            group.append(call)
            count += len(call.items)
        return group

    async def _write_group(self, group: list[_Call[T, R]]) -> None:
        if len(group) > 1:
            try:
                results = await self._write_all([item for call in group for item in call.items])
            except Exception:  # noqa: S110 — each call is written alone below and gets its own error
                pass
            else:
                start = 0
                for call in group:
                    _settle(call, results[start : start + len(call.items)])
                    start += len(call.items)
                return
        for call in group:
            try:
                _settle(call, await self._write_all(call.items))
            except Exception as exc:
                if not call.answer.done():
                    call.answer.set_exception(exc)


def _settle(call: _Call[T, R], results: list[R]) -> None:
    if not call.answer.done():
        call.answer.set_result(results)
