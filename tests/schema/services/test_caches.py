"""The per-process caches: bounded in size and age, and cleared by change events."""

from __future__ import annotations

import asyncio

from schema.events import ChangeEvent
from schema.services.caches import CALLERS, TARGETS, Caches, TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_ends_with_its_ttl_or_a_shorter_one() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(ttl=10, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2, ttl=3)  # a session token that ends sooner
    cache.put("c", 3, ttl=60)  # never longer than the cache's own bound
    clock.now = 5
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    clock.now = 10
    assert (cache.get("a"), cache.get("c")) == (None, None)


def test_the_oldest_entry_goes_when_full() -> None:
    cache: TtlCache[int, int] = TtlCache(size=2)
    for n in range(3):
        cache.put(n, n)
    assert (cache.get(0), cache.get(1), cache.get(2), len(cache)) == (None, 1, 2, 2)


def test_a_process_that_hears_no_changes_caches_nothing() -> None:
    deaf = Caches(listening=False)
    deaf.callers.put("x", object())  # type: ignore[arg-type]
    assert len(deaf.callers) == 0


def test_change_events_clear_what_they_name() -> None:
    caches = Caches(listening=True)
    caches.callers.put("k", object())  # type: ignore[arg-type]
    caches.targets.put(("task", 1), object())  # type: ignore[arg-type]
    caches.forget(ChangeEvent(TARGETS))
    assert (len(caches.callers), len(caches.targets)) == (1, 0)
    caches.forget(ChangeEvent(CALLERS))
    assert len(caches.callers) == 0


async def test_concurrent_misses_share_one_load_and_a_change_meanwhile_keeps_nothing() -> None:
    cache: TtlCache[str, int] = TtlCache()
    loads: list[asyncio.Future[None]] = []

    async def load() -> tuple[int, float | None]:
        gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        loads.append(gate)
        await gate
        return len(loads), None

    waiting = [asyncio.create_task(cache.get_or_load("k", load)) for _ in range(5)]
    while not loads:
        await asyncio.sleep(0)
    cache.clear()  # a change while the load runs: its value may be stale
    loads[0].set_result(None)
    assert await asyncio.gather(*waiting) == [1] * 5
    assert len(loads) == 1 and cache.get("k") is None


async def test_a_failed_load_reaches_every_waiter_and_is_not_kept() -> None:
    cache: TtlCache[str, int] = TtlCache()

    async def load() -> tuple[int, float | None]:
        await asyncio.sleep(0)
        raise LookupError("no such caller")

    results = await asyncio.gather(*(cache.get_or_load("k", load) for _ in range(3)), return_exceptions=True)
    assert [type(r) for r in results] == [LookupError] * 3
    assert len(cache) == 0
