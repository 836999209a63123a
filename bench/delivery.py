"""Delivery throughput and correctness of PushNest next to raw HTTP loops and Apprise, in one run.

Everything runs on this machine and stands alone: an nginx sink (`bench/nginx-sink.conf`, Debian's
`nginx-light`), a redis-server of the run's own on a free port, a fresh MariaDB database per
scenario, and `pushnest serve` / `pushnest worker` processes. Scenarios (`--scenarios`):

- `e2e`: N messages through the API (`sendMessages`, `--batch` per call; 1 = `sendMessage`) with
  one API and one worker process; deliveries/s from the first accept to the last recorded delivery.
- `drain`: N deliveries queued while no worker runs, then one worker (and again with two): the
  worker-only rate, from the first attempt started to the last one recorded.
- `slow`: receivers that answer slowly (an aiohttp receiver that sleeps; throughput is not the
  point): 10 s with default settings, and 8 s with `lease_seconds=30`, `send_timeout_seconds=10`;
  one API and two workers. Prints duplicates, rows left `sending`, and statistics against the
  real outcome count.

Then the same number of posts go to the same sink from a raw aiohttp loop, a raw httpx loop and
Apprise, and the ratios are printed. Each figure comes with the CPU that other processes on the
machine used meanwhile (a busy machine lowers every figure). Run with `make bench`
(`make bench ARGS="--messages 2000 --scenarios e2e,drain"`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import apprise
import httpx
from aiohttp import web
from common import task_key, wait_ready, webhook_task
from harness import (
    ADMIN_PASSWORD,
    FINAL,
    SINK_CONF,
    CpuMeter,
    CpuUse,
    PrivateRedis,
    PushNest,
    Sink,
    as_epoch,
    attempt_window,
    free_port,
    sql,
    stats_counts,
    statuses,
)

SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
SEND_BATCH = "mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { index error { code } } }"
TEXT = "Disk usage on db-01 is above 90%; consider cleaning up old backups."  # a typical alert
TARGETS = {"e2e": 0.40, "drain": 0.50}  # PushNest / raw aiohttp loop


def body(n: int) -> dict[str, str]:
    return {"title": f"Alert #{n}", "text": TEXT}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def roots(sink: Sink) -> list[int]:
    return [os.getpid(), *([p] if (p := sink.pid()) else [])]


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    database = f"pushnest_bench_{secrets.token_hex(4)}"
    await sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    try:
        yield database
    finally:
        await sql(f"DROP DATABASE IF EXISTS {database}")


# --- sending through the API -------------------------------------------------------------------


@dataclass
class AcceptResult:
    started: float  # wall clock (time.time()) when the first request was sent
    seconds: float
    latencies_ms: list[float]
    errors: Counter[str]
    error_at: list[float]  # seconds after the start, one per failed request


async def send_all(
    api_url: str, task_id: int, key: str, messages: int, concurrency: int, batch: int = 1
) -> AcceptResult:
    """The load generator uses aiohttp: httpx's own pool caps a 64-way client near 300 req/s here,
    which would measure the client instead of PushNest."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        api_url, connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as s:
        return await _send_all(s, task_id, key, messages, concurrency, batch)


async def _send_all(
    http: aiohttp.ClientSession, task_id: int, key: str, messages: int, concurrency: int, batch: int
) -> AcceptResult:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    error_at: list[float] = []
    numbers = iter(range(messages))
    headers = {"Authorization": f"Bearer {key}"}

    def next_payload() -> dict[str, Any] | None:
        chunk = [n for _, n in zip(range(batch), numbers, strict=False)]
        if not chunk:
            return None
        if batch == 1:
            return {"query": SEND, "variables": {"i": {"taskId": task_id, **body(chunk[0])}}}
        return {"query": SEND_BATCH, "variables": {"i": [{"taskId": task_id, **body(n)} for n in chunk]}}

    async def client() -> None:
        while (payload := next_payload()) is not None:
            sent = time.perf_counter()
            try:
                async with http.post("/graphql", json=payload, headers=headers) as response:
                    answer = await response.json()
                    status = response.status
                latencies.append((time.perf_counter() - sent) * 1000)
                refused = [i for i in (answer.get("data") or {}).get("sendMessages") or [] if i.get("error")]
                if status != 200 or answer.get("errors") or refused:
                    errors[f"{status} {str(answer.get('errors') or refused)[:160]}"] += max(1, len(refused))
                    error_at.append(time.perf_counter() - started)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                errors[f"{type(exc).__name__}: {exc!r}"[:160]] += 1
                error_at.append(time.perf_counter() - started)

    started_wall, started = time.time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return AcceptResult(started_wall, time.perf_counter() - started, latencies, errors, error_at)


async def prepare(app: PushNest, target_url: str) -> tuple[int, str]:
    """Start the API, create a webhook task on `target_url`; returns (task id, API key)."""
    app.spawn("serve")
    async with httpx.AsyncClient(base_url=app.api_url, timeout=120) as http:
        await wait_ready(http, app.check_alive)
        token, task_id = await webhook_task(http, target_url, ADMIN_PASSWORD)
        return task_id, await task_key(http, token, task_id)


async def wait_final(database: str, expected: int, app: PushNest, wait_s: float) -> tuple[int, float]:
    """Poll until `expected` deliveries are final; returns (final count, wall clock when seen)."""
    deadline = time.monotonic() + wait_s
    final, last_report = 0, time.monotonic()
    while time.monotonic() < deadline:
        app.check_alive()
        final = int((await sql(f"SELECT COUNT(*) FROM deliveries WHERE status IN {FINAL}", database))[0][0])
        if final >= expected:
            return final, time.time()
        if time.monotonic() - last_report > 15:
            print(f"  ... {final}/{expected} deliveries final", flush=True)
            last_report = time.monotonic()
        await asyncio.sleep(0.2)
    print(f"  timed out after {wait_s:.0f} s with {final}/{expected} final", flush=True)
    return final, time.time()


async def last_recorded(database: str) -> float | None:
    """When the last delivery outcome was written: the newest attempt row (written in the same
    transaction as the final status; `deliveries.updated_at` is not touched by bulk updates)."""
    rows = await sql("SELECT MAX(finished_at) FROM delivery_attempts", database)
    return as_epoch(rows[0][0])


# --- scenario: end to end ----------------------------------------------------------------------


@dataclass
class E2EResult:
    accept: AcceptResult
    final: int
    statuses: dict[str, int]
    arrivals: int
    last_delivery: float | None
    seen_final: float
    cpu: CpuUse

    @property
    def deliveries_per_s(self) -> float:
        end = self.last_delivery or self.seen_final
        return self.final / (end - self.accept.started)


async def scenario_e2e(args: argparse.Namespace, sink: Sink, tmp: Path, redis: PrivateRedis) -> E2EResult:
    async with fresh_database() as database:
        app = PushNest.configure(tmp, database, redis.url(0))
        try:
            task_id, key = await prepare(app, sink.url("/pushnest"))
            app.spawn("worker")
            await asyncio.sleep(2)  # the worker's start-up is not part of the figure
            before = sink.arrivals()
            print(
                f"e2e: {args.messages} messages from {args.concurrency} clients, {args.batch} per call ...",
                flush=True,
            )
            meter = CpuMeter(roots(sink))
            accept = await send_all(app.api_url, task_id, key, args.messages, args.concurrency, args.batch)
            print(f"  accepted in {accept.seconds:.1f} s; waiting for deliveries ...", flush=True)
            expected = args.messages - sum(accept.errors.values())
            final, seen = await wait_final(database, expected, app, args.timeout)
            cpu = meter.stop()
            await asyncio.sleep(0.5)  # let nginx flush its access log
            result = E2EResult(
                accept,
                final,
                await statuses(database),
                sink.arrivals() - before,
                await last_recorded(database),
                seen,
                cpu,
            )
            if result.final < expected or result.arrivals != expected:
                app.log_tails()
            return result
        finally:
            app.stop()


# --- scenario: draining a queue ----------------------------------------------------------------


@dataclass
class DrainResult:
    workers: int
    deliveries: int
    seconds: float
    statuses: dict[str, int]
    arrivals: int
    cpu: CpuUse

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds if self.seconds > 0 else 0.0


async def scenario_drain(
    args: argparse.Namespace, sink: Sink, tmp: Path, redis: PrivateRedis, workers: int
) -> DrainResult:
    async with fresh_database() as database:
        app = PushNest.configure(tmp, database, redis.url(workers))
        try:
            task_id, key = await prepare(app, sink.url(f"/drain{workers}"))
            print(f"drain: queueing {args.messages} deliveries with no worker running ...", flush=True)
            accept = await send_all(app.api_url, task_id, key, args.messages, 8, 100)
            expected = args.messages - sum(accept.errors.values())
            before = sink.arrivals()
            print(f"  starting {workers} worker process(es) ...", flush=True)
            meter = CpuMeter(roots(sink))
            for _ in range(workers):
                app.spawn("worker")
            final, _ = await wait_final(database, expected, app, args.timeout)
            cpu = meter.stop()
            window = await attempt_window(database)
            await asyncio.sleep(0.5)
            seconds = (window[1] - window[0]) if window else float("nan")
            return DrainResult(
                workers, final, seconds, await statuses(database), sink.arrivals() - before, cpu
            )
        finally:
            app.stop()


# --- scenario: slow receivers ------------------------------------------------------------------


class SlowReceiver:
    """Answers every webhook after `delay` seconds; records which delivery each request carried."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.delivery_ids: Counter[int] = Counter()
        self._runner: web.AppRunner | None = None
        self.port = free_port()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slow"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/slow", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        self.delivery_ids[int(payload["data"]["delivery_id"])] += 1
        await asyncio.sleep(self.delay)
        return web.json_response({"ok": True})


@dataclass
class SlowResult:
    name: str
    deliveries: int
    final: int
    statuses: dict[str, int]
    unique_arrivals: int
    duplicates: int
    sending_left: int
    stats_sent: int
    stats_succeeded: int
    seconds: float
    slowest_s: float | None
    cpu: CpuUse

    @property
    def ok(self) -> bool:
        succeeded = self.statuses.get("succeeded", 0)
        return (
            self.duplicates == 0
            and self.sending_left == 0
            and self.stats_sent == self.final
            and self.stats_succeeded == succeeded
        )


async def scenario_slow(
    args: argparse.Namespace,
    tmp: Path,
    redis: PrivateRedis,
    db: int,
    name: str,
    delay: float,
    env: dict[str, str],
) -> SlowResult:
    receiver = SlowReceiver(delay)
    await receiver.start()
    try:
        async with fresh_database() as database:
            app = PushNest.configure(tmp, database, redis.url(db), env)
            try:
                task_id, key = await prepare(app, receiver.url())
                for _ in range(2):
                    app.spawn("worker")
                await asyncio.sleep(2)
                print(f"slow ({name}): {args.slow_messages} messages, 1 API + 2 workers ...", flush=True)
                meter = CpuMeter([os.getpid()])
                started = time.time()
                accept = await send_all(app.api_url, task_id, key, args.slow_messages, 8, 100)
                expected = args.slow_messages - sum(accept.errors.values())
                final, seen = await wait_final(database, expected, app, args.slow_timeout)
                cpu = meter.stop()
                await asyncio.sleep(1)
                return await slow_result(name, database, receiver, expected, final, seen - started, cpu)
            finally:
                app.stop()
    finally:
        await receiver.stop()


async def slow_result(
    name: str, database: str, receiver: SlowReceiver, expected: int, final: int, seconds: float, cpu: CpuUse
) -> SlowResult:
    counts = await statuses(database)
    sent, succeeded = await stats_counts(database)
    slowest = await sql(
        "SELECT MAX(TIMESTAMPDIFF(MICROSECOND, m.created_at, a.finished_at)) FROM delivery_attempts a "
        "JOIN deliveries d ON d.id = a.delivery_id JOIN messages m ON m.id = d.message_id",
        database,
    )
    arrivals = receiver.delivery_ids
    return SlowResult(
        name,
        expected,
        final,
        counts,
        len(arrivals),
        sum(arrivals.values()) - len(arrivals),
        counts.get("sending", 0),
        sent,
        succeeded,
        seconds,
        slowest[0][0] / 1e6 if slowest[0][0] is not None else None,
        cpu,
    )


# --- baselines ---------------------------------------------------------------------------------


@dataclass
class Baseline:
    name: str
    seconds: float
    arrivals: int
    errors: int
    cpu: CpuUse | None = None

    def rate(self) -> float:
        return self.arrivals / self.seconds


async def bounded(messages: int, in_flight: int, post: Callable[[int], Awaitable[bool]]) -> int:
    """Posts `messages` bodies with `in_flight` loops; returns how many failed."""
    numbers = iter(range(messages))
    failed = 0

    async def loop() -> None:
        nonlocal failed
        for n in numbers:
            if not await post(n):
                failed += 1

    await asyncio.gather(*(loop() for _ in range(in_flight)))
    return failed


async def aiohttp_loop(url: str, messages: int, in_flight: int) -> int:
    async with aiohttp.ClientSession() as session:

        async def post(n: int) -> bool:
            try:
                async with session.post(url, json=body(n)) as response:
                    await response.read()
                    return response.status == 200
            except aiohttp.ClientError:
                return False

        return await bounded(messages, in_flight, post)


async def httpx_loop(url: str, messages: int, in_flight: int) -> int:
    async with httpx.AsyncClient(timeout=60) as http:

        async def post(n: int) -> bool:
            try:
                return (await http.post(url, json=body(n))).status_code == 200
            except httpx.HTTPError:
                return False

        return await bounded(messages, in_flight, post)


def apprise_loop(url: str, messages: int) -> int:
    apobj = apprise.Apprise()
    apobj.add(url)
    return sum(not apobj.notify(body=TEXT, title=f"Alert #{n}") for n in range(messages))


async def measure(sink: Sink, name: str, run: Callable[[], Awaitable[int]]) -> Baseline:
    print(f"{name}: posting ...", flush=True)
    before = sink.arrivals()
    meter = CpuMeter(roots(sink))
    started = time.perf_counter()
    errors = await run()
    seconds = time.perf_counter() - started
    cpu = meter.stop()
    await asyncio.sleep(0.5)  # let nginx flush its access log
    return Baseline(name, seconds, sink.arrivals() - before, errors, cpu)


async def run_baselines(sink: Sink, messages: int, apprise_too: bool) -> list[Baseline]:
    apprise_url = f"json://127.0.0.1:{sink.port}/apprise"
    found = [
        await measure(
            sink, "aiohttp raw loop (10 in flight)", lambda: aiohttp_loop(sink.url("/aiohttp"), messages, 10)
        ),
        await measure(
            sink, "httpx raw loop (50 in flight)", lambda: httpx_loop(sink.url("/httpx"), messages, 50)
        ),
    ]
    if apprise_too:
        found.append(
            await measure(
                sink, "Apprise (one by one)", lambda: asyncio.to_thread(apprise_loop, apprise_url, messages)
            )
        )
    return found


# --- report ------------------------------------------------------------------------------------


@dataclass
class Results:
    e2e: E2EResult | None = None
    drains: list[DrainResult] = field(default_factory=list)
    slow: list[SlowResult] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)

    def aiohttp_rate(self) -> float | None:
        return next((b.rate() for b in self.baselines if b.name.startswith("aiohttp")), None)


def report(args: argparse.Namespace, results: Results) -> None:
    print()
    if results.e2e is not None:
        report_e2e(args, results.e2e)
    for drain in results.drains:
        print(
            f"drain, {drain.workers} worker process(es): {drain.deliveries} deliveries in {drain.seconds:.1f} s "
            f"= {drain.rate:,.0f}/s; sink arrivals {drain.arrivals}; "
            + ", ".join(f"{s} {c}" for s, c in sorted(drain.statuses.items()))
        )
        print(f"  {drain.cpu.line()}")
    for slow in results.slow:
        report_slow(slow)
    for b in results.baselines:
        print(f"{b.name}: {b.rate():,.0f} msg/s ({b.arrivals} arrived, {b.errors} errors)")
        if b.cpu is not None:
            print(f"  {b.cpu.line()}")
    print()
    report_table(results)


def report_e2e(args: argparse.Namespace, result: E2EResult) -> None:
    accept, lat = result.accept, result.accept.latencies_ms
    print(
        f"e2e: {args.messages} messages, {args.concurrency} concurrent API clients, {args.batch} per call, "
        "1 API + 1 worker process"
    )
    print(
        f"  accept: {args.messages / accept.seconds:,.0f} msg/s over {accept.seconds:.1f} s; latency "
        f"p50 {percentile(lat, 0.50):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms; failed requests "
        f"{len(accept.error_at)}"
    )
    for error, count in accept.errors.most_common(5):
        print(f"    {count} x {error}")
    accepted = args.messages - sum(accept.errors.values())
    end = result.last_delivery or result.seen_final
    counts = ", ".join(f"{s} {c}" for s, c in sorted(result.statuses.items()))
    print(
        f"  deliveries: {result.final} final of {accepted} accepted ({counts}); first accept -> last "
        f"recorded delivery {end - accept.started:.1f} s = {result.deliveries_per_s:,.0f}/s"
    )
    extra, missing = max(0, result.arrivals - accepted), max(0, accepted - result.arrivals)
    print(f"  sink arrivals: {result.arrivals} (duplicates {extra}, missing {missing})")
    print(f"  {result.cpu.line()}")


def report_slow(s: SlowResult) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items()))
    slowest = f"{s.slowest_s:.1f} s" if s.slowest_s is not None else "-"
    print(
        f"slow ({s.name}): {s.final}/{s.deliveries} final in {s.seconds:.1f} s ({counts}); slowest {slowest}"
    )
    print(
        f"  duplicates {s.duplicates} (of {s.unique_arrivals} distinct arrivals); rows left sending "
        f"{s.sending_left}; statistics sent {s.stats_sent} / succeeded {s.stats_succeeded} vs real final "
        f"{s.final} / succeeded {s.statuses.get('succeeded', 0)} -> {'OK' if s.ok else 'WRONG'}"
    )
    print(f"  {s.cpu.line()}")


def report_table(results: Results) -> None:
    base = results.aiohttp_rate()
    rows: list[tuple[str, float, str]] = []
    if results.e2e is not None:
        rows.append(("PushNest end-to-end deliveries", results.e2e.deliveries_per_s, "e2e"))
    for d in results.drains:
        rows.append((f"PushNest drain, {d.workers} worker(s)", d.rate, "drain" if d.workers == 1 else ""))
    print(f"{'':34} {'msg/s':>9} {'/ aiohttp':>10} {'target':>8}")
    for name, rate, key in rows:
        ratio = rate / base if base else float("nan")
        goal = TARGETS.get(key)
        verdict = "" if goal is None else (f">= {goal}: " + ("met" if ratio >= goal else "NOT met"))
        print(f"{name:34} {rate:9,.0f} {ratio:10.2f}  {verdict}")
    for b in results.baselines:
        print(f"{b.name:34} {b.rate():9,.0f}")
    if len(results.drains) >= 2:
        one, two = results.drains[0].rate, results.drains[1].rate
        print(f"two workers / one worker = {two / one if one else float('nan'):.2f} (target > 1)")


# --- main --------------------------------------------------------------------------------------


def cancel_on_signals() -> None:
    """Ctrl-C and SIGTERM cancel the run, so every cleanup step below still runs."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)


SLOW_CASES = (
    ("receiver 10 s, defaults", 10.0, {}),
    (
        "receiver 8 s, lease 30 s, timeout 10 s",
        8.0,
        {"PUSHNEST_LEASE_SECONDS": "30", "PUSHNEST_SEND_TIMEOUT_SECONDS": "10"},
    ),
)


async def run(args: argparse.Namespace) -> None:
    cancel_on_signals()
    wanted = set(args.scenarios.split(","))
    results = Results()
    with tempfile.TemporaryDirectory(prefix="pushnest-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        sink = Sink(tmp / "sink", args.sink_conf)
        redis = PrivateRedis().start()
        async with AsyncExitStack() as stack:
            stack.callback(redis.stop)
            sink.start()
            stack.callback(sink.stop)
            if "e2e" in wanted:
                results.e2e = await scenario_e2e(args, sink, tmp, redis)
            if "drain" in wanted:
                for workers in (1, 2):
                    results.drains.append(await scenario_drain(args, sink, tmp, redis, workers))
            if "slow" in wanted:
                for db, (name, delay, env) in enumerate(SLOW_CASES, start=3):
                    results.slow.append(await scenario_slow(args, tmp, redis, db, name, delay, env))
            if not args.skip_baselines and wanted & {"e2e", "drain"}:
                results.baselines = await run_baselines(sink, args.messages, not args.skip_apprise)
        report(args, results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for deliveries")
    parser.add_argument("--scenarios", default="e2e,drain,slow", help="comma-separated: e2e, drain, slow")
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="messages per API call in e2e: 1 = sendMessage, more = sendMessages (at most 500)",
    )
    parser.add_argument("--slow-messages", type=int, default=2000)
    parser.add_argument("--slow-timeout", type=float, default=300, help="seconds to wait in a slow case")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--skip-apprise", action="store_true")
    parser.add_argument("--sink-conf", type=Path, default=SINK_CONF)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        asyncio.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
