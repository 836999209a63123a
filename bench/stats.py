"""Statistics at scale: `stats(days=30)` and the dashboard counters over 1,000,000 deliveries (MariaDB).

Creates a fresh database (root@127.0.0.1, no password), applies the migrations with
`schema.db.open_database`, then:
  * counts 1,000,000 final deliveries into the rollups the way the engine does, through
    `stats.record_final` in batches (30 days x 16 channels x 50 tasks/templates x 5 owners' traffic,
    95 % succeeded, 4 % failed, 1 % unknown, log-normal latencies, 40 distinct vendor errors);
  * bulk-inserts 100,000 messages and 1,000,000 rows into `deliveries` (multi-row INSERTs), a few
    hundred of today's still in flight, so the tables have their real size;
then times `stats(days=30)` (admin and member) and `dashboard_counts` (median of 20 runs after a
warm-up) and prints them next to the 50 ms target. The database is dropped at the end.
Run with `make bench-stats` (`make bench-stats ARGS="--deliveries 200000"`).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiomysql

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from schema.db import close_database, open_database  # noqa: E402
from schema.models import Channel, DeliveryStat, ErrorStat, Task, Template, User  # noqa: E402
from schema.models.users import Role  # noqa: E402
from schema.services import live, stats  # noqa: E402
from schema.services.principal import Principal  # noqa: E402
from schema.settings import load_settings  # noqa: E402

TARGET_MS = 50.0
DAYS, CHANNELS, TASKS, TEMPLATES, OWNERS = 30, 16, 40, 10, 5
CHANNEL_TYPES = ("webhook", "dingtalk", "feishu", "wecom_robot", "email", "slack", "telegram", "bark")
ERRORS = [("permanent", f"HTTP 400: invalid receiver {i}") for i in range(25)] + [
    ("retryable", f"HTTP 50{i % 4} after 3 attempts ({i})") for i in range(15)
]
RUNS = 20
ROW_BATCH = 5000


async def mysql(statement: str, db: str | None = None) -> None:
    conn = await aiomysql.connect(
        host="127.0.0.1", port=3306, user="root", password="", db=db, autocommit=True
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute(statement)
    finally:
        conn.close()


async def make_world() -> tuple[list[User], list[Channel], list[tuple[int | None, int | None, int]]]:
    """Owners, their channels, and (task_id, template_id, owner_id) targets."""
    owners = [
        await User.create(username=f"bench{i}", password_hash="x", role=Role.ADMIN if i == 0 else Role.MEMBER)
        for i in range(OWNERS)
    ]
    channels = [
        await Channel.create(
            owner=owners[i % OWNERS], name=f"ch{i}", type=CHANNEL_TYPES[i % len(CHANNEL_TYPES)]
        )
        for i in range(CHANNELS)
    ]
    targets: list[tuple[int | None, int | None, int]] = []
    for i in range(TASKS):
        task = await Task.create(owner=owners[i % OWNERS], name=f"task{i}")
        targets.append((task.id, None, task.owner_id))  # type: ignore[attr-defined]
    for i in range(TEMPLATES):
        tpl = await Template.create(owner=owners[i % OWNERS], name=f"tpl{i}")
        targets.append((None, tpl.id, tpl.owner_id))  # type: ignore[attr-defined]
    return owners, channels, targets


def outcome(
    rng: random.Random, day: date, channel: Channel, target: tuple[int | None, int | None, int]
) -> Any:
    roll = rng.random()
    latency = min(int(rng.lognormvariate(5.3, 0.8)), 120_000)
    if roll < 0.95:
        return stats.FinalOutcome(
            day, target[2], channel.type, channel.id, target[0], target[1], "succeeded", latency
        )
    error_class, error = rng.choice(ERRORS)
    if roll < 0.99:
        return stats.FinalOutcome(
            day,
            target[2],
            channel.type,
            channel.id,
            target[0],
            target[1],
            "failed",
            latency,
            error_class,
            error,
        )
    return stats.FinalOutcome(
        day,
        target[2],
        channel.type,
        channel.id,
        target[0],
        target[1],
        "unknown",
        None,
        "unknown",
        "no answer in time",
    )


async def fill_rollups(total: int, channels: list[Channel], targets: list[Any], batch: int) -> float:
    """Count `total` deliveries through `record_final`, a day at a time in engine-sized batches."""
    rng = random.Random(7)
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    per_day = total // DAYS
    for d in range(DAYS):
        day = today - timedelta(days=d)
        count = per_day + (total - per_day * DAYS if d == 0 else 0)
        pending = [outcome(rng, day, rng.choice(channels), rng.choice(targets)) for _ in range(count)]
        for i in range(0, len(pending), batch):
            await stats.record_final(pending[i : i + batch])
    return time.perf_counter() - started


async def fill_deliveries(db: str, total: int, channels: list[Channel], targets: list[Any]) -> float:
    """100,000 messages and `total` deliveries by multi-row INSERT (raw, as fast as the server takes it)."""
    rng = random.Random(11)
    now = datetime.now(UTC).replace(tzinfo=None)
    messages = max(1, total // 10)
    started = time.perf_counter()
    conn = await aiomysql.connect(
        host="127.0.0.1", port=3306, user="root", password="", db=db, autocommit=True
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute("SELECT COALESCE(MAX(id), 0) FROM messages")
            (first_id,) = await cur.fetchone()
            message_sql = (
                "INSERT INTO messages (id, owner_id, task_id, template_id, source_name, source, title, text, "
                "markdown, html, url, variables, recipients, mentions, status, caller_ip, trace_id, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            )
            rows = []
            created = {}
            for n in range(messages):
                task_id, template_id, owner_id = rng.choice(targets)
                at = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
                created[first_id + 1 + n] = (at, owner_id)
                fixed = ("bench", "graphql", "t", "body", "", "", "", "{}", "[]", "{}", "succeeded", "")
                rows.append(
                    (first_id + 1 + n, owner_id, task_id, template_id, *fixed, secrets.token_hex(8), at)
                )
            for i in range(0, len(rows), ROW_BATCH):
                await cur.executemany(message_sql, rows[i : i + ROW_BATCH])
            delivery_sql = (
                "INSERT INTO deliveries (message_id, channel_id, channel_type, format, receivers, status, attempts, "
                "budget_start, next_attempt_at, claim_token, error_class, last_error, latency_ms, version, "
                "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            )
            batch: list[tuple[Any, ...]] = []
            for n in range(total):
                message_id = first_id + 1 + n % messages
                at, _ = created[message_id]
                channel = channels[n % len(channels)]
                roll = rng.random()
                if n < 300:  # today's in-flight rows
                    status, at, nxt = "queued", now - timedelta(seconds=n), now
                else:
                    status = "succeeded" if roll < 0.95 else "failed" if roll < 0.99 else "unknown"
                    nxt = None
                error = "" if status == "succeeded" else "HTTP 400"
                head = (message_id, channel.id, channel.type, "text", "[]", status, 1, 0, nxt, "")
                batch.append((*head, error and "permanent", error, 180, 1, at, at))
                if len(batch) == ROW_BATCH:
                    await cur.executemany(delivery_sql, batch)
                    batch = []
            if batch:
                await cur.executemany(delivery_sql, batch)
            await cur.execute("ANALYZE TABLE deliveries, messages, delivery_stats, error_stats")
            await cur.fetchall()
    finally:
        conn.close()
    return time.perf_counter() - started


async def median_ms(work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    await work()  # warm-up: connections and caches
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="outcomes per record_final call")
    args = parser.parse_args()
    name = f"pushnest_bench_stats_{secrets.token_hex(4)}"
    await mysql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                "PUSHNEST_DATA_DIR": data_dir,
                "PUSHNEST_DATABASE_URL": f"mysql://root:@127.0.0.1:3306/{name}",
            }
            await open_database(load_settings(env, config_file=Path(data_dir) / "absent.ini"))
            try:
                await run(name, args.deliveries, args.batch)
            finally:
                await close_database()
    finally:
        await mysql(f"DROP DATABASE IF EXISTS {name}")


async def run(db: str, total: int, batch: int) -> None:
    owners, channels, targets = await make_world()
    seconds = await fill_rollups(total, channels, targets, batch)
    print(
        f"rollups: {total:,} final deliveries counted in {seconds:.1f} s ({total / seconds:,.0f}/s, batches of {batch})"
    )
    seconds = await fill_deliveries(db, total, channels, targets)
    print(f"deliveries table: {total:,} rows bulk-inserted in {seconds:.1f} s")
    print(
        f"delivery_stats rows: {await DeliveryStat.all().count():,}, error_stats rows: {await ErrorStat.all().count():,}"
    )
    admin, member = Principal(user=owners[0]), Principal(user=owners[1])
    check = await stats.stats(admin, DAYS)
    assert check.totals.sent == total, (check.totals.sent, total)
    print(
        f"stats(days={DAYS}) totals: sent {check.totals.sent:,}, success rate {check.totals.success_rate:.3f}"
    )
    print(f"{'query':<34} {'median ms':>10} {'max ms':>8}  target")
    for label, work in (
        (f"stats(days={DAYS}) admin (all owners)", lambda: stats.stats(admin, DAYS)),
        (f"stats(days={DAYS}) member", lambda: stats.stats(member, DAYS)),
        ("stats(days=7) admin", lambda: stats.stats(admin, 7)),
        ("dashboard_counts admin", lambda: live.dashboard_counts(admin)),
        ("dashboard_counts member", lambda: live.dashboard_counts(member)),
    ):
        median, worst = await median_ms(work)
        verdict = "ok" if median < TARGET_MS else "OVER"
        print(f"{label:<34} {median:>10.1f} {worst:>8.1f}  < {TARGET_MS:.0f} ms {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
