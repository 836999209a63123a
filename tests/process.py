"""`pushnest serve` as its own process, for tests that need settings of their own (the session's
server runs with PUSHNEST_ALLOW_PRIVATE_TARGETS=true) or its real log output.

Output (stdout and stderr, where uvicorn's access log and everything else go) is written to a
file rather than a pipe, so a chatty DEBUG run never blocks on a full pipe.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.helpers import ADMIN_PASSWORD, LOGIN, GraphQLClient

REPO = Path(__file__).resolve().parents[1]


class Served:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_file = data_dir / "pushnest.log"
        self._env = (
            {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")}
            | {
                "PUSHNEST_DATA_DIR": str(data_dir),
                "PUSHNEST_CONFIG": str(data_dir / "absent.ini"),
                "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "PUSHNEST_PORT": str(self.port),
                "PUSHNEST_CONSOLE_DIR": str(data_dir / "no-console"),
                "PUSHNEST_SEND_TIMEOUT_SECONDS": "2",
                "PUSHNEST_RETRY_BASE_SECONDS": "0.2",
                "PUSHNEST_RETRY_MAX_SECONDS": "1",
                "PUSHNEST_MAX_ATTEMPTS": "2",
            }
            | env
        )
        self._proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        with self.log_file.open("wb") as out:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve"], env=self._env, cwd=REPO, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                assert self._proc.poll() is None, self.output()
                try:
                    if (await http.get(f"{self.base_url}/readyz", timeout=1)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        self._proc.kill()
        raise AssertionError(f"pushnest serve did not become ready:\n{self.output()}")

    def stop(self) -> str:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        return self.output()

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


@asynccontextmanager
async def served(data_dir: Path, **env: str) -> AsyncIterator[tuple[Served, GraphQLClient]]:
    """A started server and a GraphQL client signed in as its admin."""
    server = Served(data_dir, **env)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            anonymous = GraphQLClient(http)
            data = await anonymous.call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
            yield server, anonymous.as_(data["login"]["token"])
    finally:
        server.stop()
