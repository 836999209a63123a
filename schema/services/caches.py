"""Per-process caches of who is calling and of send targets, so a busy API does not read the same
rows for every request.

Two bounds keep them true: every change that could make an entry wrong (an API key revoked; a
password, role or account changed; a task, template, binding or channel edited) clears the cache
in every API process at once, through a `ChangeEvent` on the event bus (`changed`); and no entry
lives longer than `TTL_SECONDS`, which covers the changes the bus cannot carry (Redis down, an
all-in-one server changed by `pushnest reset-password` from another process).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from schema.events import ChangeEvent
from schema.models import ApiKey, Binding, Task, Template, User

if TYPE_CHECKING:
    from schema.services.runtime import Runtime

log = logging.getLogger("pushnest.caches")
TTL_SECONDS = 10.0
MAX_ENTRIES = 10_000
CALLERS = "callers"
TARGETS = "targets"
K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """At most `size` entries, each for at most `ttl` seconds; the oldest goes first when full."""

    def __init__(
        self, ttl: float = TTL_SECONDS, size: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._loading: dict[K, asyncio.Future[V]] = {}
        self._generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires, value = found
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """`ttl` shortens the entry's life (a session token that ends sooner), never lengthens it."""
        life = self._ttl if ttl is None else min(ttl, self._ttl)
        if life <= 0:
            return
        self._entries[key] = (self._clock() + life, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[tuple[V, float | None]]]) -> V:
        """The entry, or `load()`'s value (with its own ttl, or None) put in. Concurrent misses of one
        key share one load: in a burst, hundreds of requests for one caller would otherwise all
        read the database at the moment the entry is missing. A failed load is not kept."""
        found = self.get(key)
        if found is not None:
            return found
        pending = self._loading.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this caller was cancelled
                return await self.get_or_load(key, load)  # the loading request went away
        return await self._load(key, load)

    async def _load(self, key: K, load: Callable[[], Awaitable[tuple[V, float | None]]]) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        generation = self._generation
        try:
            value, ttl = await load()
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved, so a load nobody else waited for is not reported
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]
        future.set_result(value)
        if generation == self._generation:  # a change during the load may have made it stale
            self.put(key, value, ttl)
        return value

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._loading.clear()
        self._generation += 1


class Caches:
    """What one process caches: callers by a digest of their credential (schema/services/auth.py),
    and send targets with their enabled bindings (schema/services/sending.py).

    Only a process that hears change events may cache (`listening`); one that does not (a worker
    running cron sends, tools, tests without a feed) reads the database every time.
    """

    def __init__(self, listening: bool = False) -> None:
        ttl = TTL_SECONDS if listening else 0.0
        self.callers: TtlCache[str, User | ApiKey] = TtlCache(ttl)
        self.targets: TtlCache[tuple[str, int], tuple[Task | Template, list[Binding]]] = TtlCache(ttl)

    def forget(self, event: ChangeEvent) -> None:
        if event.what == CALLERS:
            self.callers.clear()
        elif event.what == TARGETS:
            self.targets.clear()


async def changed(runtime: Runtime, what: str) -> None:
    """After a committed change: forget here at once, then tell the other processes (best-effort:
    the change is made; if Redis is away, their entries end with the TTL)."""
    event = ChangeEvent(what)
    runtime.caches.forget(event)
    try:
        await runtime.events.publish_change(event)
    except Exception as exc:  # the change itself is committed; see the module doc
        log.warning("could not announce a change of %s to other processes: %s", what, type(exc).__name__)
