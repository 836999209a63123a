"""End-to-end delivery throughput of PushNest next to raw HTTP loops and Apprise, in one run.

Starts a near-free webhook sink (nginx, `/work/shared/bench/nginx-sink.conf` or `--sink-conf`),
a fresh MariaDB database, Redis db 6, one `pushnest serve` and one `pushnest worker`; sends N
`sendMessage` mutations through the API to a task bound to a webhook on the sink, and waits until
every delivery is final. Deliveries/s runs from the first accept to the last recorded delivery
(the newest delivery attempt in the database). Then the same number of posts go to the same sink
from a raw aiohttp loop, a raw httpx loop and Apprise, and the ratios are printed.
Run with `make bench` (`make bench ARGS="--messages 2000"`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import aiomysql
import apprise
import httpx
from common import task_key, wait_ready, webhook_task
from redis.asyncio import Redis

REPO = Path(__file__).resolve().parents[1]
SINK_CONF = Path("/work/shared/bench/nginx-sink.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MYSQL = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
REDIS_URL = "redis://127.0.0.1:6379/6"
ADMIN_PASSWORD = "bench-admin-password"
FINAL = "('succeeded','failed','unknown')"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
SEND_BATCH = "mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { index error { code } } }"
TEXT = "Disk usage on db-01 is above 90%; consider cleaning up old backups."  # a typical alert


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def body(n: int) -> dict[str, str]:
    return {"title": f"Alert #{n}", "text": TEXT}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- the sink ----------------------------------------------------------------------------------


class Sink:
    """nginx answering every request with a fixed JSON body; arrivals are access-log lines."""

    def __init__(self, workdir: Path, template: Path) -> None:
        self.dir = workdir
        self.port = free_port()
        self.conf = workdir / "nginx.conf"
        (workdir / "logs").mkdir(parents=True)
        self.conf.write_text(template.read_text().replace("127.0.0.1:18090", f"127.0.0.1:{self.port}"))
        self.started = False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        subprocess.run([NGINX, "-p", str(self.dir), "-c", str(self.conf)], check=True)
        self.started = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        raise SystemExit("the nginx sink did not start")

    def arrivals(self) -> int:
        log = self.dir / "logs" / "access.log"
        if not log.exists():
            return 0
        with log.open("rb") as f:
            return sum(1 for _ in f)

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [NGINX, "-p", str(self.dir), "-c", str(self.conf), "-s", "stop"],
                check=False,
                stderr=subprocess.DEVNULL,
            )
            self.started = False


# --- MariaDB and Redis -------------------------------------------------------------------------


async def sql(statement: str, database: str | None = None) -> list[tuple[Any, ...]]:
    conn = await aiomysql.connect(**MYSQL, db=database, autocommit=True)
    try:
        async with conn.cursor() as cur:
            await cur.execute(statement)
            return list(await cur.fetchall())
    finally:
        conn.close()


async def flush_redis() -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


# --- PushNest processes ------------------------------------------------------------------------


@dataclass
class PushNest:
    env: dict[str, str]
    api_url: str
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, command: str) -> None:
        log = (self.logs / f"{command}.log").open("wb")
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", command],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise SystemExit(f"{proc.args!r} exited with {proc.returncode}; see {self.logs}")

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def pushnest_env(data_dir: Path, database: str, port: int) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")} | {
        "PUSHNEST_DATA_DIR": str(data_dir),
        "PUSHNEST_CONFIG": str(data_dir / "none.ini"),
        "PUSHNEST_DATABASE_URL": f"mysql://root:@127.0.0.1:3306/{database}",
        "PUSHNEST_REDIS_URL": REDIS_URL,
        "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PUSHNEST_JWT_SECRET": secrets.token_urlsafe(40),
        "PUSHNEST_SECRET_KEY": secrets.token_urlsafe(40),
        "PUSHNEST_PORT": str(port),
        "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
        "PUSHNEST_LOG_LEVEL": "WARNING",
    }


# --- the PushNest run --------------------------------------------------------------------------


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


def as_epoch(value: datetime | None) -> float | None:
    # Tortoise stores UTC (use_tz) in naive DATETIME(6) columns.
    return value.replace(tzinfo=UTC).timestamp() if value is not None else None


async def last_recorded(database: str) -> float | None:
    """When the last delivery outcome was written: the newest attempt row, or updated_at if later.

    `deliveries.updated_at` is auto_now, which Tortoise's QuerySet.update() does not touch, so
    the attempt rows (written in the same step as the final status) are the reliable clock.
    """
    rows = await sql(
        "SELECT (SELECT MAX(finished_at) FROM delivery_attempts), (SELECT MAX(updated_at) FROM deliveries)",
        database,
    )
    stamps = [s for s in (as_epoch(rows[0][0]), as_epoch(rows[0][1])) if s is not None]
    return max(stamps) if stamps else None


@dataclass
class PushNestResult:
    accept: AcceptResult
    final: int
    statuses: dict[str, int]
    arrivals: int
    last_delivery: float | None
    seen_final: float

    @property
    def deliveries_per_s(self) -> float:
        end = self.last_delivery or self.seen_final
        return self.final / (end - self.accept.started)


async def run_pushnest(args: argparse.Namespace, sink: Sink, tmp: Path) -> PushNestResult:
    database = f"pushnest_bench_{secrets.token_hex(4)}"
    await sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    await flush_redis()
    port = free_port()
    app = PushNest(pushnest_env(tmp / "data", database, port), f"http://127.0.0.1:{port}", tmp)
    try:
        return await drive_pushnest(args, sink, app, database)
    finally:
        app.stop()
        await flush_redis()
        await sql(f"DROP DATABASE IF EXISTS {database}")


async def drive_pushnest(
    args: argparse.Namespace, sink: Sink, app: PushNest, database: str
) -> PushNestResult:
    app.spawn("serve")
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=app.api_url, timeout=120, limits=limits) as http:
        await wait_ready(http, app.check_alive)
        app.spawn("worker")
        token, task_id = await webhook_task(http, sink.url("/pushnest"), ADMIN_PASSWORD)
        key = await task_key(http, token, task_id)
        before = sink.arrivals()
        print(
            f"PushNest: sending {args.messages} messages from {args.concurrency} clients, {args.batch} per call ...",
            flush=True,
        )
        accept = await send_all(app.api_url, task_id, key, args.messages, args.concurrency, args.batch)
    print(f"  accepted in {accept.seconds:.1f} s; waiting for deliveries ...", flush=True)
    expected = args.messages - sum(accept.errors.values())
    final, seen = await wait_final(database, expected, app, args.timeout)
    statuses = {
        str(s): int(c)
        for s, c in await sql("SELECT status, COUNT(*) FROM deliveries GROUP BY status", database)
    }
    await asyncio.sleep(0.5)  # let nginx flush its access log
    return PushNestResult(
        accept, final, statuses, sink.arrivals() - before, await last_recorded(database), seen
    )


# --- baselines ---------------------------------------------------------------------------------


@dataclass
class Baseline:
    name: str
    seconds: float
    arrivals: int
    errors: int

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
    started = time.perf_counter()
    errors = await run()
    seconds = time.perf_counter() - started
    await asyncio.sleep(0.5)  # let nginx flush its access log
    return Baseline(name, seconds, sink.arrivals() - before, errors)


async def run_baselines(sink: Sink, messages: int) -> list[Baseline]:
    apprise_url = f"json://127.0.0.1:{sink.port}/apprise"
    return [
        await measure(
            sink, "aiohttp raw loop (10 in flight)", lambda: aiohttp_loop(sink.url("/aiohttp"), messages, 10)
        ),
        await measure(
            sink, "httpx raw loop (50 in flight)", lambda: httpx_loop(sink.url("/httpx"), messages, 50)
        ),
        await measure(
            sink, "Apprise (one by one)", lambda: asyncio.to_thread(apprise_loop, apprise_url, messages)
        ),
    ]


# --- report ------------------------------------------------------------------------------------


def report(args: argparse.Namespace, result: PushNestResult, baselines: list[Baseline]) -> None:
    print()
    print(
        f"PushNest: {args.messages} messages, {args.concurrency} concurrent API clients, 1 API + 1 worker process"
    )
    report_accept(result.accept, args.messages)
    report_deliveries(result, args.messages - len(result.accept.error_at))
    print()
    report_table(result, baselines)


def report_accept(accept: AcceptResult, messages: int) -> None:
    lat = accept.latencies_ms
    print(
        f"  accept: {messages / accept.seconds:,.0f} msg/s over {accept.seconds:.1f} s; latency "
        f"p50 {percentile(lat, 0.50):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, max {max(lat, default=0):.1f} ms; "
        f"failed requests {len(accept.error_at)}"
    )
    for error, count in accept.errors.most_common(5):
        print(f"    {count} x {error}")
    if accept.error_at:
        print(f"    failures at (s after start): {', '.join(f'{t:.1f}' for t in accept.error_at[:10])}")


def report_deliveries(result: PushNestResult, accepted: int) -> None:
    statuses = ", ".join(f"{s} {c}" for s, c in sorted(result.statuses.items()))
    end = result.last_delivery or result.seen_final
    print(
        f"  deliveries: {result.final} final of {accepted} accepted ({statuses}); first accept -> last "
        f"recorded delivery {end - result.accept.started:.1f} s (poll saw all final at "
        f"{result.seen_final - result.accept.started:.1f} s)"
    )
    extra, missing = max(0, result.arrivals - accepted), max(0, accepted - result.arrivals)
    print(f"  sink arrivals: {result.arrivals} (duplicates {extra}, missing {missing})")


def report_table(result: PushNestResult, baselines: list[Baseline]) -> None:
    ours = result.deliveries_per_s
    not_succeeded = result.final - result.statuses.get("succeeded", 0) + len(result.accept.error_at)
    print(f"{'':34} {'msg/s':>9} {'arrived':>8} {'errors':>7} {'PushNest / this':>16}")
    print(f"{'PushNest end-to-end deliveries':34} {ours:9,.0f} {result.arrivals:8} {not_succeeded:7}")
    for b in baselines:
        print(f"{b.name:34} {b.rate():9,.0f} {b.arrivals:8} {b.errors:7} {ours / b.rate():16.2f}")
    targets = {"aiohttp": 0.40, "Apprise": 3.0}
    for b in baselines:
        word = b.name.split()[0]
        if word in targets:
            ratio, goal = ours / b.rate(), targets[word]
            print(
                f"PushNest / {word} = {ratio:.2f} (target >= {goal}: {'met' if ratio >= goal else 'NOT met'})"
            )


# --- main --------------------------------------------------------------------------------------


def cancel_on_signals() -> None:
    """Ctrl-C and SIGTERM cancel the run, so every cleanup step below still runs."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)


async def run(args: argparse.Namespace) -> None:
    cancel_on_signals()
    with tempfile.TemporaryDirectory(prefix="pushnest-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        sink = Sink(tmp / "sink", args.sink_conf)
        async with AsyncExitStack() as stack:
            sink.start()
            stack.callback(sink.stop)
            result = await run_pushnest(args, sink, tmp)
            baselines = [] if args.skip_baselines else await run_baselines(sink, args.messages)
            report(args, result, baselines)
            if result.accept.errors or result.final < args.messages or result.arrivals != args.messages:
                print_log_tails(tmp)


def print_log_tails(logs: Path, lines: int = 60) -> None:
    for name in ("serve.log", "worker.log"):
        log = logs / name
        if log.exists():
            print(f"\n--- last {lines} lines of {name} ---")
            print("\n".join(log.read_text(errors="replace").splitlines()[-lines:]))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for deliveries")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        help="messages per API call: 1 = sendMessage, more = sendMessages (at most 500)",
    )
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
