"""CPU time the delivery loop spends per delivery, measured inside one process (low noise).

Queues N deliveries in a fresh MariaDB database, then runs the same `DeliveryLoop` a `pushnest
worker` runs (Redis event bus and rate limiter on a private redis-server, webhook to the nginx
sink) until all are final, and prints this process's CPU seconds per delivery next to a raw
aiohttp loop's. Wall-clock rates on a shared machine swing with the neighbours' load; CPU time
per delivery does not, so this is the figure to compare changes with. With `--profile FILE` it
records a py-spy profile of the run (raw flame-graph lines). `.venv/bin/python bench/worker_cpu.py`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from harness import SINK_CONF, PrivateRedis, Sink, sql


async def queue(url: str, count: int) -> None:
    """One owner, one webhook channel on the sink, `count` messages with one due delivery each."""
    from datetime import UTC, datetime

    from schema.models import Channel, Delivery, Message, User

    owner = await User.create(username="bench", password_hash="-")
    channel = await Channel.create(owner_id=owner.id, name="sink", type="webhook", config={"url": url})
    text = "Disk usage on db-01 is above 90%; consider cleaning up old backups."
    await Message.bulk_create(
        [Message(owner_id=owner.id, title=f"Alert #{n}", text=text) for n in range(count)], batch_size=1000
    )
    now = datetime.now(UTC)
    ids = await Message.all().order_by("id").values_list("id", flat=True)
    await Delivery.bulk_create(
        [
            Delivery(
                message_id=i,
                channel_id=channel.id,
                channel_type="webhook",
                format="text",
                next_attempt_at=now,
            )
            for i in ids
        ],
        batch_size=1000,
    )


async def run_loop(settings: object, redis_url: str, count: int) -> tuple[float, float]:
    from redis.asyncio import Redis

    from schema.bus import RedisEventBus
    from schema.crypto import SecretBox
    from schema.db import close_database, open_database
    from schema.models import Delivery
    from schema.models.messages import DeliveryStatus
    from schema.net.client import outbound_clients
    from schema.services.send_context import send_context
    from schema.services.send_limits import RedisRateLimiter
    from schema.token_store import RedisTokenStore
    from workers.engine import DeliveryEngine
    from workers.heartbeat import Heartbeat
    from workers.loop import DeliveryLoop

    await open_database(settings)  # type: ignore[arg-type]
    redis = Redis.from_url(redis_url)
    events = RedisEventBus(redis)
    http = outbound_clients(settings)  # type: ignore[arg-type]
    engine = DeliveryEngine(
        settings,  # type: ignore[arg-type]
        SecretBox(settings.secret_key.get_secret_value()),  # type: ignore[attr-defined]
        send_context(settings, http, events, RedisTokenStore(redis)),  # type: ignore[arg-type]
        RedisRateLimiter(redis),
    )
    heartbeat = Heartbeat(redis, "bench")
    await heartbeat.beat()
    loop = DeliveryLoop(settings, engine, events, heartbeat)  # type: ignore[arg-type]
    cpu, wall = time.process_time(), time.perf_counter()
    await loop.start()
    while await Delivery.filter(status=DeliveryStatus.SUCCEEDED).count() < count:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await loop.stop()
    await http.aclose()
    await redis.aclose()
    await close_database()
    return cpu, wall


async def raw_aiohttp(url: str, count: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    numbers = iter(range(count))
    async with aiohttp.ClientSession() as session:

        async def loop() -> None:
            for n in numbers:
                async with session.post(url, json={"title": f"Alert #{n}", "text": "x"}) as response:
                    await response.read()

        await asyncio.gather(*(loop() for _ in range(10)))
    return time.process_time() - cpu, time.perf_counter() - wall


async def main(args: argparse.Namespace) -> None:
    from schema.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="pushnest-cpu-") as tmp_dir:
        tmp = Path(tmp_dir)
        sink, redis = Sink(tmp / "sink", SINK_CONF), PrivateRedis().start()
        sink.start()
        database = f"pushnest_cpu_{secrets.token_hex(4)}"
        await sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
        try:
            env = {
                "PUSHNEST_DATA_DIR": str(tmp / "data"),
                "PUSHNEST_DATABASE_URL": f"mysql://root:@127.0.0.1:3306/{database}",
                "PUSHNEST_REDIS_URL": redis.url(0),
                "PUSHNEST_JWT_SECRET": secrets.token_urlsafe(40),
                "PUSHNEST_SECRET_KEY": secrets.token_urlsafe(40),
                "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
            }
            settings = load_settings(env, config_file=tmp / "none.ini")
            from schema.db import close_database, open_database

            await open_database(settings)
            await queue(sink.url("/cpu"), args.deliveries)
            await close_database()
            spy = None
            if args.profile:
                spy = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measured part
                    [
                        "py-spy",
                        "record",
                        "-p",
                        str(os.getpid()),
                        "-o",
                        args.profile,
                        "-f",
                        "raw",
                        "-r",
                        "250",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                await asyncio.sleep(1)
            cpu, wall = await run_loop(settings, redis.url(0), args.deliveries)
            if spy is not None:
                spy.send_signal(2)
                spy.wait()
            raw_cpu, raw_wall = await raw_aiohttp(sink.url("/raw"), args.deliveries)
        finally:
            await sql(f"DROP DATABASE IF EXISTS {database}")
            sink.stop()
            redis.stop()
    n = args.deliveries
    print(
        f"delivery loop: {n} deliveries, {wall:.1f} s wall ({n / wall:,.0f}/s), CPU {cpu * 1e6 / n:,.0f} us/delivery"
    )
    print(
        f"raw aiohttp:   {n} posts, {raw_wall:.1f} s wall ({n / raw_wall:,.0f}/s), CPU {raw_cpu * 1e6 / n:,.0f} us/post"
    )
    print(f"CPU ratio raw / loop = {raw_cpu / cpu:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--profile", default="")
    arguments = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    asyncio.run(main(arguments))
