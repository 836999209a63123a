"""Claims: sized to what was asked, each row taken once, leases extended or lost, rows handed on."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

from schema.models import Delivery
from schema.models.messages import DeliveryStatus
from tests.workers.conftest import Rows, statuses
from workers import claims


async def test_a_claim_takes_only_what_was_asked_oldest_first(rows: Rows) -> None:
    made = await rows.due(await rows.channel("/claims"), 10)
    first = await claims.claim(3, 60, "w1")
    assert [c.id for c in first] == [d.id for d in made[:3]]
    assert {c.attempts for c in first} == {1} and {c.holder for c in first} == {"w1"}
    assert await Delivery.filter(status=DeliveryStatus.SENDING, claimed_by="w1").count() == 3
    rest = await claims.claim(100, 60, "")
    assert [c.id for c in rest] == [d.id for d in made[3:]]
    assert await claims.claim(5, 60, "w1") == []


async def test_concurrent_claims_never_take_a_row_twice(rows: Rows) -> None:
    made = await rows.due(await rows.channel("/claims"), 40)
    taken = await asyncio.gather(*(claims.claim(7, 60, f"w{n}") for n in range(8)))
    ids = [c.id for batch in taken for c in batch]
    assert sorted(ids) == sorted(d.id for d in made)


async def test_rows_not_due_yet_are_not_claimed(rows: Rows) -> None:
    (later,) = await rows.due(await rows.channel("/claims"), 1)
    await Delivery.filter(id=later.id).update(next_attempt_at=datetime.now(UTC) + timedelta(seconds=60))
    assert await claims.claim(10, 60, "") == []


async def test_extend_keeps_held_rows_and_gives_up_lost_ones(rows: Rows) -> None:
    await rows.due(await rows.channel("/claims"), 3)
    held = await claims.claim(3, 60, "w1")
    # One row's lease runs out and a sweeper hands it on; another worker claims it again.
    lost = held[0]
    await Delivery.filter(id=lost.id).update(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    assert await claims.release_expired() == [lost.id]
    assert [c.id for c in await claims.claim(1, 60, "w2")] == [lost.id]
    kept = await claims.extend(held, 60, "")
    assert kept == {held[1].id, held[2].id}
    assert lost.deadline == 0.0 and {held[1].holder, held[2].holder} == {""}
    # The extension renamed the holder: these rows are now protected by their lease alone.
    assert await Delivery.filter(id__in=list(kept), claimed_by="").count() == 2
    assert await Delivery.filter(id=lost.id, claimed_by="w2").exists()


async def test_rows_of_a_vanished_worker_are_handed_on_and_only_theirs(rows: Rows) -> None:
    channel = await rows.channel("/claims")
    await rows.due(channel, 6)
    dead = await claims.claim(2, 120, "dead")
    alive = await claims.claim(2, 120, "alive")
    anonymous = await claims.claim(2, 120, "")
    assert await claims.holders() == {"dead", "alive"}
    released = await claims.release_held_by({"dead"})
    assert sorted(released) == sorted(c.id for c in dead)
    found = await statuses([c.id for c in dead + alive + anonymous])
    assert [found[c.id] for c in dead] == ["queued", "queued"]
    assert {found[c.id] for c in alive + anonymous} == {"sending"}
    # Handed on rows are due at once, with a new version: the old holder's records cannot apply.
    again = await claims.claim(10, 60, "new")
    assert sorted(c.id for c in again) == sorted(released)
    assert all(
        c.version == d.version + 2 for c, d in zip(sorted(again, key=lambda c: c.id), dead, strict=True)
    )


async def test_release_gives_back_rows_this_process_will_not_send(rows: Rows) -> None:
    await rows.due(await rows.channel("/claims"), 2)
    held = await claims.claim(2, 60, f"w-{secrets.token_hex(2)}")
    assert await claims.release(held) == 2
    assert set((await statuses([c.id for c in held])).values()) == {"queued"}
    # Someone else's claim is not given back by a stale holder.
    again = await claims.claim(2, 60, "other")
    assert await claims.release(held) == 0
    assert set((await statuses([c.id for c in again])).values()) == {"sending"}
