"""What the delivery benchmarks share: a near-free nginx sink, a private redis-server, throwaway
MariaDB databases, PushNest processes, and the CPU the rest of the machine used meanwhile.

Nothing here touches the machine's own Redis: each run starts a redis-server of its own on a free
port (tests/fakes/redis_server.py), so a benchmark can neither flush nor fill anyone else's data.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomysql
from common import cpu_seconds, machine_busy_seconds

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fakes.redis_server import PrivateRedis  # noqa: E402

SINK_CONF = Path(__file__).resolve().parent / "nginx-sink.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MYSQL = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
ADMIN_PASSWORD = "bench-admin-password"
FINAL = "('succeeded','failed','unknown')"

__all__ = ["ADMIN_PASSWORD", "FINAL", "REPO", "SINK_CONF", "PrivateRedis"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the sink ----------------------------------------------------------------------------------


class Sink:
    """nginx answering every request with a fixed JSON body; arrivals are access-log lines."""

    def __init__(self, workdir: Path, template: Path) -> None:
        if not Path(NGINX).exists():
            raise SystemExit("nginx is not installed: `apt-get install nginx-light` (Debian's package)")
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

    def pid(self) -> int | None:
        with suppress(OSError, ValueError):
            return int((self.dir / "ngx.pid").read_text().strip())
        return None

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


# --- MariaDB -----------------------------------------------------------------------------------


async def sql(statement: str, database: str | None = None) -> list[tuple[Any, ...]]:
    conn = await aiomysql.connect(**MYSQL, db=database, autocommit=True)
    try:
        async with conn.cursor() as cur:
            await cur.execute(statement)
            return list(await cur.fetchall())
    finally:
        conn.close()


def as_epoch(value: datetime | None) -> float | None:
    # Tortoise stores UTC (use_tz) in naive DATETIME(6) columns.
    return value.replace(tzinfo=UTC).timestamp() if value is not None else None


async def statuses(database: str) -> dict[str, int]:
    rows = await sql("SELECT status, COUNT(*) FROM deliveries GROUP BY status", database)
    return {str(s): int(c) for s, c in rows}


async def attempt_window(database: str) -> tuple[float, float] | None:
    """First attempt started → last attempt finished (epoch seconds): the worker's own drain time."""
    rows = await sql("SELECT MIN(started_at), MAX(finished_at) FROM delivery_attempts", database)
    first, last = as_epoch(rows[0][0]), as_epoch(rows[0][1])
    return (first, last) if first is not None and last is not None else None


async def stats_counts(database: str) -> tuple[int, int]:
    """(sent, succeeded) as the statistics rollups count them (the per-channel rows)."""
    rows = await sql(
        "SELECT COALESCE(SUM(sent), 0), COALESCE(SUM(succeeded), 0) FROM delivery_stats WHERE task_id = -1",
        database,
    )
    return int(rows[0][0]), int(rows[0][1])


# --- PushNest processes ------------------------------------------------------------------------


@dataclass
class PushNest:
    """`pushnest serve` and `pushnest worker` processes on one database and a private Redis."""

    env: dict[str, str]
    api_url: str
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def configure(
        cls, tmp: Path, database: str, redis_url: str, extra: dict[str, str] | None = None
    ) -> PushNest:
        data_dir = tmp / f"data-{database}"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")} | {
            "PUSHNEST_DATA_DIR": str(data_dir),
            "PUSHNEST_CONFIG": str(data_dir / "none.ini"),
            "PUSHNEST_DATABASE_URL": f"mysql://root:@127.0.0.1:3306/{database}",
            "PUSHNEST_REDIS_URL": redis_url,
            "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PUSHNEST_JWT_SECRET": secrets.token_urlsafe(40),
            "PUSHNEST_SECRET_KEY": secrets.token_urlsafe(40),
            "PUSHNEST_PORT": str(port),
            "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
            "PUSHNEST_LOG_LEVEL": "WARNING",
        }
        logs = tmp / f"logs-{database}"
        logs.mkdir(parents=True, exist_ok=True)
        return cls(env | (extra or {}), f"http://127.0.0.1:{port}", logs)

    def spawn(self, command: str) -> subprocess.Popen[bytes]:
        n = sum(1 for p in self.procs if p.args[-1] == command) + 1  # type: ignore[index]
        log = (self.logs / f"{command}-{n}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", command],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise SystemExit(f"{proc.args!r} exited with {proc.returncode}; see {self.logs}")

    def stop(self, only: list[subprocess.Popen[bytes]] | None = None) -> None:
        chosen = list(self.procs if only is None else only)
        for proc in chosen:
            proc.terminate()
        for proc in chosen:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self.procs.remove(proc)

    def log_tails(self, lines: int = 40) -> None:
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()
            if text:
                print(f"\n--- last {lines} lines of {log.name} ---")
                print("\n".join(text[-lines:]))


# --- CPU of the rest of the machine ------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) of every process."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError, IndexError, ValueError):
            raw = (entry / "stat").read_text()
            name = raw[raw.index("(") + 1 : raw.rindex(")")]
            table[int(entry.name)] = (int(raw.rsplit(")", 1)[1].split()[1]), name)
    return table


def _ours(roots: list[int]) -> tuple[set[int], set[int]]:
    """Our processes (descendants of `roots`), and the database server's (shared with others)."""
    table = _process_table()
    ours = {r for r in roots if r in table}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in ours and pid not in ours:
                ours.add(pid)
                grew = True
    database = {pid for pid, (_, name) in table.items() if name in ("mariadbd", "mysqld")}
    return ours, database


@dataclass
class CpuUse:
    seconds: float
    ours: float  # PushNest, the load generator, the sink, our redis-server
    database: float  # MariaDB, which other engineers' tests use too
    others: float  # everything else on the machine

    def line(self) -> str:
        return (
            f"CPU over {self.seconds:.1f} s: ours {self.ours:.1f} s, MariaDB {self.database:.1f} s, "
            f"other processes {self.others:.1f} s ({self.others / max(self.seconds, 1e-9):.0%} of one core)"
        )


class CpuMeter:
    """Reads /proc before and after a phase; processes started meanwhile count from zero."""

    def __init__(self, roots: list[int]) -> None:
        self._roots = roots
        self._start = time.monotonic()
        self._busy = machine_busy_seconds()
        ours, database = _ours(roots)
        self._before = {pid: cpu_seconds(pid) for pid in ours | database}

    def stop(self) -> CpuUse:
        ours, database = _ours(self._roots)
        spent = {pid: cpu_seconds(pid) - self._before.get(pid, 0.0) for pid in ours | database}
        busy = machine_busy_seconds() - self._busy
        mine = sum(spent[p] for p in ours)
        db = sum(spent[p] for p in database)
        return CpuUse(time.monotonic() - self._start, mine, db, max(0.0, busy - mine - db))
