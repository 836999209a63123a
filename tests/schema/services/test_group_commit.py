"""Group commit: concurrent calls share a write, and a failing group falls back to one write per call."""

from __future__ import annotations

import asyncio

from schema.services.group_commit import GroupCommit


class Store:
    """Writes lists of numbers "in one transaction"; a group holding a negative number fails whole."""

    def __init__(self) -> None:
        self.transactions: list[list[int]] = []
        self.gate = asyncio.Event()

    async def write_all(self, items: list[int]) -> list[str]:
        await self.gate.wait()
        if any(n < 0 for n in items):
            raise ValueError(f"refused {items}")
        self.transactions.append(items)
        return [f"row {n}" for n in items]


async def test_calls_arriving_while_a_write_runs_share_the_next_one() -> None:
    store, commits = Store(), GroupCommit[int, str]()
    first = asyncio.create_task(commits.write([1], store.write_all))
    await asyncio.sleep(0)  # the first group starts with the first call alone
    await asyncio.sleep(0)
    rest = [asyncio.create_task(commits.write([n, n * 10], store.write_all)) for n in (2, 3, 4)]
    store.gate.set()
    assert await first == ["row 1"]
    assert [await r for r in rest] == [[f"row {n}", f"row {n * 10}"] for n in (2, 3, 4)]
    assert store.transactions == [[1], [2, 20, 3, 30, 4, 40]]


async def test_a_failing_group_is_written_call_by_call_and_only_the_bad_call_fails() -> None:
    store, commits = Store(), GroupCommit[int, str]()
    calls = [asyncio.create_task(commits.write(items, store.write_all)) for items in ([1], [-2], [3])]
    store.gate.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert results[0] == ["row 1"] and results[2] == ["row 3"]
    assert isinstance(results[1], ValueError)
    assert store.transactions == [[1], [3]]
