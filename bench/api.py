"""The API's fast path, next to its baselines measured in the same run.

Three phases on MariaDB, a private redis-server, the nginx sink and one `pushnest serve` plus one
`pushnest worker` (bench/harness.py):

- `reads`: wrk (Debian's `wrk`), 20 connections, against a bare Starlette JSON route under
  uvicorn, then `{ me { id username } }` and `{ tasks(first: 10) { edges { node { id name } } } }`
  on PushNest; each round measures all three, so every ratio has its baseline from the same minute.
- `open`: an open-loop load of `--rate` sendMessage calls per second for `--seconds`: each call
  starts at its scheduled moment whether or not earlier ones were answered, and its latency counts
  from that moment (a server that falls behind cannot hide it). Accept p50/p95/p99, errors, and
  whether every accepted message was delivered.
- `e2e`: one message per call end to end (bench/delivery.py's scenario with batch 1), next to
  Apprise posting the same number one by one to the same sink.

Also the idle RSS of `pushnest serve` (target < 150 MB). Run with `make bench-api`
(`make bench-api ARGS="--phases reads --rounds 3"`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from common import gql, task_key, wait_ready, webhook_task
from delivery import (
    SEND,
    TEXT,
    Baseline,
    E2EResult,
    apprise_loop,
    fresh_database,
    measure,
    percentile,
    scenario_e2e,
    wait_final,
)
from harness import ADMIN_PASSWORD, SINK_CONF, PrivateRedis, PushNest, Sink, free_port

ME = "{ me { id username } }"
TASKS = "{ tasks(first: 10) { edges { node { id name } } } }"
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def me(request):
    return JSONResponse({"data": {"me": {"id": "1", "username": "admin"}}})

app = Starlette(routes=[Route("/graphql", me, methods=["POST"])])
"""
QUIET = ("--log-level", "warning", "--no-access-log")
READ_TARGETS = {"me": 0.25, "tasks(first: 10)": 0.15}
E2E_TARGET = 3.0  # x Apprise
P99_TARGET_MS = 50.0
RSS_TARGET_MIB = 150.0


# --- reads with wrk ----------------------------------------------------------------------------


def wrk_script(tmp: Path, name: str, query: str, token: str) -> Path:
    body = json.dumps({"query": query})
    script = tmp / f"{name}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    return script


def wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, int]:
    """Requests/s and the count of answers that were not 2xx."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if rate is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(rate.group(1)), int(bad.group(1)) if bad else 0


def start_bare(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    (tmp / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(tmp), "bare_app:app", "--port", str(port), *QUIET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(url, timeout=0.5)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit("the bare Starlette app did not start")


@dataclass
class ReadRound:
    bare: float
    rates: dict[str, float]
    non_2xx: int


def profiled(args: argparse.Namespace, pid: int, name: str, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy over the API process (`--profile DIR`: collapsed stacks per read query and open loop)."""
    if args.profile is None:
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    out = args.profile / f"{name.split('(')[0]}.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw"]
    return subprocess.Popen(
        [*command, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run_reads(args: argparse.Namespace, tmp: Path, api_url: str, token: str, pid: int) -> list[ReadRound]:
    proc, bare_url = start_bare(tmp)
    empty = tmp / "empty.lua"
    empty.write_text(
        'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n'
    )
    scripts = {
        "me": wrk_script(tmp, "me", ME, token),
        "tasks(first: 10)": wrk_script(tmp, "tasks", TASKS, token),
    }
    rounds: list[ReadRound] = []
    try:
        for n in range(args.rounds):
            print(f"reads, round {n + 1}/{args.rounds} ...", flush=True)
            bare, _ = wrk(bare_url, empty, args.read_seconds, args.connections)
            rates, bad = {}, 0
            for name, script in scripts.items():
                spy = profiled(args, pid, name, args.read_seconds) if n == 0 else None
                rates[name], failed = wrk(f"{api_url}/graphql", script, args.read_seconds, args.connections)
                bad += failed
                if spy is not None:
                    spy.wait()
            rounds.append(ReadRound(bare, rates, bad))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return rounds


# --- the open loop -----------------------------------------------------------------------------


@dataclass
class OpenLoop:
    rate: float
    seconds: float
    latencies_ms: list[float]
    errors: Counter[str]
    delivered: int
    expected: int
    behind_ms: float  # how late the generator itself started its last call


async def open_loop(api_url: str, task_id: int, key: str, rate: float, seconds: float) -> OpenLoop:
    total = int(rate * seconds)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {key}"}
    connector = aiohttp.TCPConnector(limit=1000)
    behind = 0.0
    async with aiohttp.ClientSession(
        api_url, connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as http:

        async def call(n: int, due: float) -> None:
            payload = {
                "query": SEND,
                "variables": {"i": {"taskId": task_id, "title": f"Alert #{n}", "text": TEXT}},
            }
            try:
                async with http.post("/graphql", json=payload, headers=headers) as response:
                    answer: dict[str, Any] = await response.json()
                    if response.status != 200 or answer.get("errors"):
                        errors[f"{response.status} {str(answer.get('errors'))[:160]}"] += 1
                        return
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                errors[f"{type(exc).__name__}: {exc!r}"[:160]] += 1
                return
            latencies.append((time.perf_counter() - due) * 1000)

        started = time.perf_counter()
        calls = []
        for n in range(total):
            due = started + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            behind = max(behind, (time.perf_counter() - due) * 1000)
            calls.append(asyncio.create_task(call(n, due)))
        await asyncio.gather(*calls)
    return OpenLoop(rate, seconds, latencies, errors, 0, total - sum(errors.values()), behind)


async def run_open(
    args: argparse.Namespace, app: PushNest, database: str, task_id: int, key: str
) -> list[OpenLoop]:
    results = []
    for n in range(args.open_runs):
        print(
            f"open loop {n + 1}/{args.open_runs}: {args.rate:.0f} sendMessage/s for {args.seconds:.0f} s ..."
        )
        before = await delivered_count(database)
        spy = profiled(args, app.procs[0].pid, "open", args.seconds) if n == 0 else None
        result = await open_loop(app.api_url, task_id, key, args.rate, args.seconds)
        if spy is not None:
            spy.wait()
        final, _ = await wait_final(database, before + result.expected, app, args.timeout)
        result.delivered = final - before
        results.append(result)
    return results


async def delivered_count(database: str) -> int:
    from harness import FINAL, sql

    return int((await sql(f"SELECT COUNT(*) FROM deliveries WHERE status IN {FINAL}", database))[0][0])


# --- set-up and report -------------------------------------------------------------------------


async def more_tasks(api_url: str, token: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
        channels = await gql(http, "{ channels { edges { node { id } } } }", {}, token)
        channel_id = channels["channels"]["edges"][0]["node"]["id"]
        for n in range(count):
            await gql(
                http,
                "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
                {"i": {"name": f"bench-{n}", "bindings": [{"channelId": channel_id}]}},
                token,
            )


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def api_phases(args: argparse.Namespace, tmp: Path, sink: Sink, redis: PrivateRedis) -> dict[str, Any]:
    found: dict[str, Any] = {}
    async with fresh_database() as database:
        app = PushNest.configure(tmp, database, redis.url(0))
        try:
            serve = app.spawn("serve")
            async with httpx.AsyncClient(base_url=app.api_url, timeout=120) as http:
                await wait_ready(http, app.check_alive)
                token, task_id = await webhook_task(http, sink.url("/pushnest"), ADMIN_PASSWORD)
                key = await task_key(http, token, task_id)
            await more_tasks(app.api_url, token, 9)
            await asyncio.sleep(2)
            found["rss"] = rss_mib(serve.pid)
            app.spawn("worker")
            await asyncio.sleep(2)
            if "reads" in args.phases:
                found["reads"] = run_reads(args, tmp, app.api_url, token, serve.pid)
            if "open" in args.phases:
                found["open"] = await run_open(args, app, database, task_id, key)
        finally:
            app.stop()
    return found


async def e2e_phase(
    args: argparse.Namespace, tmp: Path, sink: Sink, redis: PrivateRedis
) -> list[tuple[E2EResult, Baseline]]:
    e2e_args = argparse.Namespace(messages=args.messages, concurrency=64, batch=1, timeout=args.timeout)
    pairs = []
    apprise_url = f"json://127.0.0.1:{sink.port}/apprise"
    for n in range(args.e2e_runs):
        print(f"one per call, run {n + 1}/{args.e2e_runs}:", flush=True)
        result = await scenario_e2e(e2e_args, sink, tmp, redis)
        apprise = await measure(
            sink, "Apprise (one by one)", lambda: asyncio.to_thread(apprise_loop, apprise_url, args.messages)
        )
        pairs.append((result, apprise))
    return pairs


def report(found: dict[str, Any]) -> None:
    print()
    if "rss" in found:
        print(f"idle RSS of pushnest serve: {found['rss']:.0f} MiB (target < {RSS_TARGET_MIB:.0f})")
    for n, r in enumerate(found.get("reads", []), start=1):
        parts = [f"bare Starlette {r.bare:,.0f} req/s"]
        for name, rate in r.rates.items():
            parts.append(f"{name} {rate:,.0f} req/s = {rate / r.bare:.3f}x (target {READ_TARGETS[name]})")
        print(f"reads round {n}: " + "; ".join(parts) + (f"; NON-2xx {r.non_2xx}" if r.non_2xx else ""))
    for n, o in enumerate(found.get("open", []), start=1):
        lat = o.latencies_ms
        print(
            f"open loop {n}: {o.rate:.0f}/s for {o.seconds:.0f} s, {len(lat)} accepted: p50 {percentile(lat, 0.5):.1f} ms, "
            f"p95 {percentile(lat, 0.95):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms (target < {P99_TARGET_MS:.0f}); "
            f"errors {sum(o.errors.values())}; delivered {o.delivered}/{o.expected}; generator behind ≤ {o.behind_ms:.1f} ms"
        )
        for error, count in o.errors.most_common(3):
            print(f"    {count} x {error}")
    for n, (e, a) in enumerate(found.get("e2e", []), start=1):
        rate, base = e.deliveries_per_s, a.rate()
        lat = e.accept.latencies_ms
        print(
            f"one per call {n}: {e.final} delivered at {rate:,.0f} msg/s end to end, accept p50 {percentile(lat, 0.5):.0f} ms "
            f"p99 {percentile(lat, 0.99):.0f} ms, errors {sum(e.accept.errors.values())}; Apprise {base:,.0f} msg/s "
            f"→ {rate / base:.2f}x (target ≥ {E2E_TARGET})"
        )


async def run(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None and "reads" in args.phases:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian's package)")
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pushnest-bench-api-") as tmp_dir:
        tmp = Path(tmp_dir)
        sink = Sink(tmp / "sink", SINK_CONF)
        redis = PrivateRedis().start()
        try:
            sink.start()
            if {"reads", "open"} & set(args.phases):
                found |= await api_phases(args, tmp, sink, redis)
            if "e2e" in args.phases:
                found["e2e"] = await e2e_phase(args, tmp, sink, redis)
        finally:
            sink.stop()
            redis.stop()
    report(found)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--phases", type=lambda s: s.split(","), default=["reads", "open", "e2e"])
    parser.add_argument("--rounds", type=int, default=2, help="read rounds (bare, me, tasks each)")
    parser.add_argument("--read-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200.0, help="open loop: sendMessage calls per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="open loop: how long")
    parser.add_argument("--open-runs", type=int, default=2)
    parser.add_argument("--messages", type=int, default=5000, help="one per call: messages per run")
    parser.add_argument("--e2e-runs", type=int, default=2)
    parser.add_argument(
        "--profile", type=Path, help="record py-spy profiles of the reads into this directory"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for deliveries")
    return parser.parse_args()


def main() -> None:
    try:
        asyncio.run(run(parse_args()))
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
