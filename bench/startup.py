"""Cold start time and idle memory of `pushnest serve`, next to a bare Starlette app under uvicorn.

Each server is started as a fresh process and timed until its health route answers; after two
idle seconds its resident memory is read from /proc. PushNest is measured on a new data dir
(first start: secrets, migrations, admin account) and again on the same dir (a restart).
Run with `make bench-startup`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

RUNS = 3
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def healthz(request):
    return JSONResponse({"status": "ok"})

app = Starlette(routes=[Route("/healthz", healthz)])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(command: list[str], env: dict[str, str], port: int, cwd: Path) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.01)
            if proc.poll() is not None:
                raise SystemExit(f"{command} exited with {proc.returncode}")
        elapsed = time.perf_counter() - started
        time.sleep(2)
        return elapsed, rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")}
    rows: list[tuple[str, list[tuple[float, float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "bare_app.py").write_text(BARE_APP)
        bare = []
        for _ in range(RUNS):
            port = free_port()
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ]
            bare.append(measure(cmd, base_env, port, tmp_path))
        rows.append(("bare Starlette + uvicorn", bare))
        first, restart = [], []
        for run in range(RUNS):
            data_dir = tmp_path / f"data{run}"
            env = base_env | {
                "PUSHNEST_DATA_DIR": str(data_dir),
                "PUSHNEST_CONFIG": str(tmp_path / "none.ini"),
                "PUSHNEST_LOG_LEVEL": "WARNING",
            }
            for bucket in (first, restart):
                port = free_port()
                cmd = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
                bucket.append(measure(cmd, env, port, Path(__file__).resolve().parents[1]))
        rows.append(("pushnest serve, first start", first))
        rows.append(("pushnest serve, restart", restart))
    print(f"{'server':32} {'start s (median)':>17} {'idle RSS MiB (median)':>22}")
    for name, samples in rows:
        starts = sorted(s for s, _ in samples)
        rss = sorted(r for _, r in samples)
        print(f"{name:32} {starts[len(starts) // 2]:17.2f} {rss[len(rss) // 2]:22.1f}")


if __name__ == "__main__":
    main()
