"""Subscription fan-out: event-to-client latency and memory per subscriber, N subscribers on one API.

Starts one `pushnest serve` in the all-in-one mode (SQLite in a temp data dir, in-process worker)
and a webhook sink (tests/fakes/webhook_sink.py) in this process. Logs in as admin, creates a
webhook channel and a task, then opens N graphql-transport-ws connections (batches of 100), each
authenticating in connection_init and subscribing to `messageEvents(taskId: ...)`.
Memory per subscriber is the growth of the server's VmRSS from before the connections (after a
warm-up send) to all N subscribed and idle for 2 s, divided by N. Then M `sendMessage` mutations
go out at a steady pace; each yields 3 events (queued, sending, succeeded) to every subscriber.
Latency is receive time minus the event's `at` (both epoch seconds, same machine); frames are
only timestamped while the send runs and are parsed afterwards, so the client stays cheap. The
client and the server share the machine's cores: the client's own CPU time is printed too, and
so is what other processes on the machine used meanwhile (a busy machine inflates latency).
By default the subscribers are lean sockets (`bench/raw_ws.py`: the receive time is taken when
the kernel hands the bytes over) on uvloop, with the client's garbage collector paused while it
measures; `--client websockets` uses the websockets library instead, as a browser-like client.
Run with `make bench-subscriptions` (`make bench-subscriptions ARGS="--subscribers 200"`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import raw_ws
import websockets
from common import cpu_seconds, gql, machine_busy_seconds, wait_ready, webhook_task
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fakes.webhook_sink import WebhookSink  # noqa: E402

ADMIN_PASSWORD = "bench-admin-password"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
EVENTS = "subscription($t: Int) { messageEvents(taskId: $t) { cursor status at resumed } }"
TEXT = "Disk usage on db-01 is above 90%; consider cleaning up old backups."
EVENTS_PER_MESSAGE = 3  # queued, sending, succeeded
BATCH = 100
TARGET_P99_MS = 250.0
TARGET_KB_PER_SUBSCRIBER = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"no VmRSS for pid {pid}")


def raise_open_files(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            print(f"warning: open-file limit is {target}, below the {needed} this run needs", flush=True)


# --- the server --------------------------------------------------------------------------------


@dataclass
class Server:
    data_dir: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")} | {
            "PUSHNEST_DATA_DIR": str(self.data_dir),
            "PUSHNEST_CONFIG": str(self.data_dir.parent / "none.ini"),
            "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PUSHNEST_PORT": str(self.port),
            "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
            "PUSHNEST_LOG_LEVEL": "WARNING",
        }
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve"],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise SystemExit(f"pushnest serve exited with {self.proc.returncode}; see {self.log}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# --- subscribers -------------------------------------------------------------------------------


class Subscriber:
    """One subscribed socket: `frames` is (receive time, raw message) for every message received."""

    frames: list[tuple[float, str | bytes]]

    @property
    def closed(self) -> str:
        raise NotImplementedError

    @property
    def extensions(self) -> str:
        return ""

    async def close(self) -> None:
        raise NotImplementedError


class LibrarySubscriber(Subscriber):
    """The websockets library's client."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames = []
        self._closed = ""
        self.reader = asyncio.create_task(self.read())

    @property
    def closed(self) -> str:
        return self._closed

    @property
    def extensions(self) -> str:
        return self.ws.response.headers.get("Sec-WebSocket-Extensions", "") if self.ws.response else ""

    async def read(self) -> None:
        """Only timestamps raw frames; they are parsed after the run."""
        append, now = self.frames.append, time.time
        try:
            async for raw in self.ws:
                append((now(), raw))
        except ConnectionClosed as exc:
            self._closed = f"{type(exc).__name__}: {exc}"
        else:
            self._closed = "closed by the server"

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()


class LeanSubscriber(Subscriber):
    """bench/raw_ws.py: timestamps in data_received, frames split by hand."""

    def __init__(self, protocol: raw_ws.RawSubscriber) -> None:
        self.protocol = protocol
        self.frames = protocol.frames  # type: ignore[assignment]

    @property
    def closed(self) -> str:
        return self.protocol.closed

    @property
    def extensions(self) -> str:
        return self.protocol.response_headers.get("sec-websocket-extensions", "")

    async def close(self) -> None:
        self.protocol.close()


def init_message(token: str) -> dict[str, object]:
    return {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}


def subscribe_message(task_id: int) -> dict[str, object]:
    return {"id": "1", "type": "subscribe", "payload": {"query": EVENTS, "variables": {"t": task_id}}}


async def subscribe_library(url: str, token: str, task_id: int, compression: str | None) -> Subscriber:
    ws = await websockets.connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        compression=compression,
        ping_interval=None,  # no client keepalive traffic during the measurement
        open_timeout=60,
        close_timeout=5,
    )
    try:
        await ws.send(json.dumps(init_message(token)))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if ack.get("type") != "connection_ack":
            raise SystemExit(f"connection_init answered with {ack}")
        await ws.send(json.dumps(subscribe_message(task_id)))
    except BaseException:
        await ws.close()
        raise
    return LibrarySubscriber(ws)


async def subscribe_lean(url: str, token: str, task_id: int, compression: str | None) -> Subscriber:
    async with asyncio.timeout(60):
        protocol = await raw_ws.connect(url, "graphql-transport-ws", {})
        try:
            protocol.send_json(init_message(token))
            ack = await protocol.first_message()
            if ack.get("type") != "connection_ack":
                raise SystemExit(f"connection_init answered with {ack}")
            protocol.send_json(subscribe_message(task_id))
        except BaseException:
            protocol.close()
            raise
    return LeanSubscriber(protocol)


Subscribe = Callable[[str, str, int, str | None], Awaitable[Subscriber]]
CLIENTS: dict[str, Subscribe] = {"lean": subscribe_lean, "websockets": subscribe_library}


async def open_subscribers(
    server: Server,
    subscribe: Subscribe,
    token: str,
    task_id: int,
    count: int,
    compression: str | None,
    into: list[Subscriber],
) -> None:
    for start in range(0, count, BATCH):
        server.check_alive()
        batch = min(BATCH, count - start)
        into.extend(
            await asyncio.gather(
                *(subscribe(server.ws_url, token, task_id, compression) for _ in range(batch))
            )
        )


async def close_subscribers(subs: list[Subscriber]) -> None:
    for start in range(0, len(subs), BATCH):
        batch = subs[start : start + BATCH]
        await asyncio.gather(*(sub.close() for sub in batch), return_exceptions=True)


def received(subs: list[Subscriber]) -> int:
    return sum(len(s.frames) for s in subs)


async def wait_frames(subs: list[Subscriber], per_subscriber: int, server: Server, stall_s: float) -> bool:
    """Wait until every subscriber holds `per_subscriber` frames; gives up after `stall_s` without progress."""
    expected = per_subscriber * len(subs)
    last, last_change, last_report = -1, time.monotonic(), time.monotonic()
    while True:
        server.check_alive()
        got = received(subs)
        if got >= expected and all(len(s.frames) >= per_subscriber for s in subs):
            return True
        now = time.monotonic()
        if got != last:
            last, last_change = got, now
        elif now - last_change > stall_s:
            print(f"  no new frames for {stall_s:.0f} s; {got:,}/{expected:,} arrived", flush=True)
            return False
        if now - last_report > 10:
            print(f"  ... {got:,}/{expected:,} frames", flush=True)
            last_report = now
        await asyncio.sleep(0.25)


# --- the measured send -------------------------------------------------------------------------


@dataclass
class SendResult:
    seconds: float  # from the first send to the last one leaving
    accept_ms: list[float]
    errors: Counter[str]


async def send_paced(
    http: httpx.AsyncClient, token: str, task_id: int, messages: int, rate: float
) -> SendResult:
    """`messages` sends at `rate` per second; each is its own request, so a slow answer does not
    hold back the pace."""
    accept_ms: list[float] = []
    errors: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {token}"}

    async def one(n: int) -> None:
        payload = {
            "query": SEND,
            "variables": {"i": {"taskId": task_id, "title": f"Alert #{n}", "text": TEXT}},
        }
        sent = time.perf_counter()
        try:
            response = await http.post("/graphql", json=payload, headers=headers)
            accept_ms.append((time.perf_counter() - sent) * 1000)
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                errors[f"{response.status_code} {str(answer.get('errors'))[:160]}"] += 1
        except (httpx.HTTPError, ValueError) as exc:
            errors[f"{type(exc).__name__}: {exc!r}"[:160]] += 1

    started = time.perf_counter()
    pending: list[asyncio.Task[None]] = []
    for n in range(messages):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(one(n)))
    seconds = time.perf_counter() - started
    await asyncio.gather(*pending)
    return SendResult(seconds, accept_ms, errors)


@dataclass
class Events:
    latencies_ms: list[float] = field(default_factory=list)
    by_status: dict[str, list[float]] = field(default_factory=dict)
    resumed_ms: list[float] = field(default_factory=list)
    duplicates: int = 0
    other_frames: Counter[str] = field(default_factory=Counter)
    per_subscriber: list[int] = field(default_factory=list)
    last_receive: float = 0.0


def parse(subs: list[Subscriber]) -> Events:
    events = Events()
    for sub in subs:
        cursors: set[str] = set()
        count = 0
        for at_client, raw in sub.frames:
            message = json.loads(raw)
            if message.get("type") != "next" or not message["payload"].get("data"):
                events.other_frames[f"{message.get('type')} {str(message.get('payload'))[:120]}"] += 1
                continue
            event = message["payload"]["data"]["messageEvents"]
            if event["cursor"] in cursors:
                events.duplicates += 1
                continue
            cursors.add(event["cursor"])
            count += 1
            latency = (at_client - float(event["at"])) * 1000
            events.latencies_ms.append(latency)
            events.by_status.setdefault(event["status"], []).append(latency)
            if event["resumed"]:
                events.resumed_ms.append(latency)
            events.last_receive = max(events.last_receive, at_client)
        events.per_subscriber.append(count)
    return events


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Figures:
    subscribers: int
    messages: int
    rate: float
    extensions: str
    open_seconds: float
    rss_before_kib: int
    rss_idle_kib: int
    rss_primed_kib: int
    send: SendResult
    send_end_wall: float
    server_cpu_s: float
    client_cpu_s: float
    machine_busy_s: float
    load_average: tuple[float, float]
    client: str
    loop: str
    phase_seconds: float
    events: Events
    closed: Counter[str]


async def run_bench(args: argparse.Namespace, server: Server, stack: AsyncExitStack) -> Figures:
    sink = WebhookSink()
    await sink.start()
    stack.push_async_callback(sink.stop)
    server.start()
    stack.callback(server.stop)
    compression = None if args.no_compression else "deflate"
    subscribe = CLIENTS[args.client]
    subs: list[Subscriber] = []
    stack.push_async_callback(close_subscribers, subs)

    async with httpx.AsyncClient(base_url=server.api_url, timeout=120) as http:
        await wait_ready(http, server.check_alive)
        token, task_id = await webhook_task(http, sink.url("/bench"), ADMIN_PASSWORD)

        # Warm-up: one subscriber sees one message end to end, then leaves.
        warm: list[Subscriber] = []
        await open_subscribers(server, subscribe, token, task_id, 1, compression, warm)
        extensions = warm[0].extensions
        await asyncio.sleep(0.2)
        await gql(http, SEND, {"i": {"taskId": task_id, "text": "warm-up"}}, token)
        if not await wait_frames(warm, EVENTS_PER_MESSAGE, server, 20):
            raise SystemExit("the warm-up message did not produce three events")
        await close_subscribers(warm)
        await asyncio.sleep(2)
        rss_before = rss_kib(server.pid)

        print(f"opening {args.subscribers} subscribers ({BATCH} at a time) ...", flush=True)
        started = time.perf_counter()
        await open_subscribers(server, subscribe, token, task_id, args.subscribers, compression, subs)
        open_seconds = time.perf_counter() - started
        await asyncio.sleep(2)
        rss_idle = rss_kib(server.pid)

        # One primer message proves every subscription is live (its frames are not measured).
        await gql(http, SEND, {"i": {"taskId": task_id, "text": "primer"}}, token)
        if not await wait_frames(subs, EVENTS_PER_MESSAGE, server, args.stall):
            raise SystemExit("not every subscriber received the primer message's three events")
        await asyncio.sleep(2)
        rss_primed = rss_kib(server.pid)
        for sub in subs:
            sub.frames.clear()

        print(f"sending {args.messages} messages at {args.rate:g}/s ...", flush=True)
        # The client's own collector would pause it (not the server) for up to a second with this
        # many objects; what it allocates while measuring is small and freed after the run.
        gc.collect()
        gc.freeze()
        gc.disable()
        load_before = os.getloadavg()[0]
        cpu_server, cpu_client, cpu_machine, phase_start = (
            cpu_seconds(server.pid),
            time.process_time(),
            machine_busy_seconds(),
            time.perf_counter(),
        )
        try:
            send = await send_paced(http, token, task_id, args.messages, args.rate)
            send_end_wall = time.time()
            await wait_frames(
                subs, EVENTS_PER_MESSAGE * (args.messages - sum(send.errors.values())), server, args.stall
            )
        finally:
            gc.enable()
            gc.unfreeze()
        phase_seconds = time.perf_counter() - phase_start
        server_cpu = cpu_seconds(server.pid) - cpu_server
        client_cpu = time.process_time() - cpu_client
        machine_busy = machine_busy_seconds() - cpu_machine
        load_after = os.getloadavg()[0]

    closed = Counter(s.closed for s in subs if s.closed)
    return Figures(
        subscribers=args.subscribers,
        messages=args.messages,
        rate=args.rate,
        extensions=extensions,
        open_seconds=open_seconds,
        rss_before_kib=rss_before,
        rss_idle_kib=rss_idle,
        rss_primed_kib=rss_primed,
        send=send,
        send_end_wall=send_end_wall,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
        machine_busy_s=machine_busy,
        load_average=(load_before, load_after),
        client=args.client,
        loop=type(asyncio.get_running_loop()).__module__.split(".")[0],
        phase_seconds=phase_seconds,
        events=parse(subs),
        closed=closed,
    )


# --- report ------------------------------------------------------------------------------------


def ms_line(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 0.50):8.1f}  p95 {percentile(samples, 0.95):8.1f}  "
        f"p99 {percentile(samples, 0.99):8.1f}  max {max(samples, default=float('nan')):8.1f} ms"
    )


def report(f: Figures) -> None:
    n, cores = f.subscribers, os.cpu_count() or 1
    events = f.events
    expected = n * EVENTS_PER_MESSAGE * (f.messages - sum(f.send.errors.values()))
    got = len(events.latencies_ms)
    per_idle = (f.rss_idle_kib - f.rss_before_kib) / n
    per_primed = (f.rss_primed_kib - f.rss_before_kib) / n
    p99 = percentile(events.latencies_ms, 0.99)
    print()
    print(
        f"PushNest subscriptions: {n} subscribers on one `pushnest serve` (all-in-one, SQLite), "
        f"{f.messages} messages at {f.rate:g}/s, messageEvents(taskId) x {EVENTS_PER_MESSAGE} events each"
    )
    print(
        f"  note: the client ({n} WebSockets in one Python process, plus the webhook sink) and the "
        f"server share this machine's {cores} cores; latency includes the client's own delay"
    )
    print(f"  client: {f.client} sockets on {f.loop}")
    print(f"  WebSocket extensions negotiated: {f.extensions or 'none'}")
    print(f"  opened {n} subscribers in {f.open_seconds:.1f} s ({n / f.open_seconds:,.0f}/s)")
    print(
        f"  server RSS: {f.rss_before_kib / 1024:.1f} MiB before, {f.rss_idle_kib / 1024:.1f} MiB with all "
        f"subscribed and idle 2 s -> {per_idle:.1f} KB per subscriber; "
        f"{f.rss_primed_kib / 1024:.1f} MiB after one event round -> {per_primed:.1f} KB per subscriber"
    )
    print(
        f"  send: {f.messages} messages in {f.send.seconds:.1f} s ({f.messages / max(f.send.seconds, 1e-9):.1f}/s "
        f"achieved); sendMessage latency p50 {percentile(f.send.accept_ms, 0.5):.0f} ms, "
        f"p99 {percentile(f.send.accept_ms, 0.99):.0f} ms; failed {sum(f.send.errors.values())}"
    )
    for error, count in f.send.errors.most_common(5):
        print(f"    {count} x {error}")
    print(
        f"  events received: {got:,} of {expected:,} expected ({got / expected:.1%}); "
        f"duplicates {events.duplicates}; resumed (after lagging) {len(events.resumed_ms):,}; "
        f"per subscriber min {min(events.per_subscriber, default=0)} max {max(events.per_subscriber, default=0)}"
    )
    for frame, count in events.other_frames.most_common(5):
        print(f"    {count} x other frame: {frame}")
    for reason, count in f.closed.most_common(5):
        print(f"    {count} x connection ended: {reason}")
    if events.last_receive:
        print(f"  last event arrived {events.last_receive - f.send_end_wall:.1f} s after the last send left")
    print(f"  event -> client latency, all events:  {ms_line(events.latencies_ms)}")
    for status in sorted(events.by_status):
        print(f"    {status:<10}                        {ms_line(events.by_status[status])}")
    if events.resumed_ms:
        print(f"    resumed events only              {ms_line(events.resumed_ms)}")
    print(
        f"  CPU during the send phase ({f.phase_seconds:.1f} s): server {f.server_cpu_s:.1f} s "
        f"({f.server_cpu_s / f.phase_seconds:.0%} of one core), client {f.client_cpu_s:.1f} s "
        f"({f.client_cpu_s / f.phase_seconds:.0%} of one core); "
        f"{expected / max(f.server_cpu_s, 1e-9):,.0f} deliveries to subscribers per server CPU second "
        f"({f.server_cpu_s / max(expected, 1) * 1e6:.0f} us each)"
    )
    others = max(0.0, f.machine_busy_s - f.server_cpu_s - f.client_cpu_s)
    print(
        f"  other processes on the machine meanwhile: {others:.1f} CPU s "
        f"({others / f.phase_seconds:.0%} of one core); load average {f.load_average[0]:.1f} -> "
        f"{f.load_average[1]:.1f} on {cores} cores"
        + ("  (a busy machine: latency figures are inflated)" if others / f.phase_seconds > 0.25 else "")
    )
    print()
    print(f"{'target':34} {'measured':>12} {'goal':>12}  met")
    rows = [
        ("event -> client p99 latency", f"{p99:.0f} ms", f"< {TARGET_P99_MS:.0f} ms", p99 < TARGET_P99_MS),
        (
            "server memory per subscriber",
            f"{per_idle:.1f} KB",
            f"< {TARGET_KB_PER_SUBSCRIBER:.0f} KB",
            per_idle < TARGET_KB_PER_SUBSCRIBER,
        ),
        ("events delivered", f"{got / expected:.1%}", "100%", got == expected),
    ]
    for name, measured, goal, met in rows:
        print(f"{name:34} {measured:>12} {goal:>12}  {'yes' if met else 'NO'}")


# --- main --------------------------------------------------------------------------------------


def cancel_on_signals() -> None:
    """Ctrl-C and SIGTERM cancel the run, so every cleanup step still runs."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)


async def run(args: argparse.Namespace) -> None:
    cancel_on_signals()
    raise_open_files(args.subscribers + 1024)
    with tempfile.TemporaryDirectory(prefix="pushnest-bench-subs-") as tmp_dir:
        tmp = Path(tmp_dir)
        server = Server(tmp / "data", free_port(), tmp / "serve.log")
        try:
            async with AsyncExitStack() as stack:
                figures = await run_bench(args, server, stack)
        except SystemExit:
            print(f"\n--- last lines of serve.log ---\n{server.log_tail()}", file=sys.stderr)
            raise
        report(figures)
        if args.show_log:
            print(f"\n--- last lines of serve.log ---\n{server.log_tail()}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=int, default=2000)
    # The setting (2,000 subscribers, 1 send a second = 6,000 frames/s); raise --rate for capacity.
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--rate", type=float, default=1.0, help="messages per second")
    parser.add_argument(
        "--stall", type=float, default=30.0, help="give up after this many seconds without a new frame"
    )
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="lean",
        help="lean: bench/raw_ws.py sockets (default); websockets: the websockets library's client",
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="with --client websockets: do not offer permessage-deflate (the server declines it anyway)",
    )
    parser.add_argument("--show-log", action="store_true", help="print the end of the server's log")
    args = parser.parse_args()
    if args.subscribers < 1 or args.messages < 1 or args.rate <= 0:
        parser.error("--subscribers, --messages and --rate must be positive")
    return args


def main() -> None:
    args = parse_args()
    try:
        try:
            import uvloop
        except ImportError:  # uvicorn[standard] brings it; without it the client is slower
            asyncio.run(run(args))
        else:
            uvloop.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
