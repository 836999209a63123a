"""A private `mariadbd` on a free loopback port, for tests that stop the database under PushNest.

The machine's MariaDB (127.0.0.1:3306) is shared: a test that takes the database away starts one
of these in a temporary data directory, stops it, and may start it again on the same port.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PrivateMariaDB:
    """One `mariadbd` child process; root without a password, reachable at `url(database)`."""

    def __init__(self) -> None:
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("mariadbd") is not None and shutil.which("mariadb-install-db") is not None

    def create(self) -> PrivateMariaDB:
        """A fresh data directory (about 2 s), then the server."""
        self._dir = Path(tempfile.mkdtemp(prefix="pushnest-mariadb-"))
        self.port = _free_port()
        subprocess.run(
            [
                "mariadb-install-db", "--no-defaults", f"--datadir={self._dir / 'data'}",
                "--auth-root-authentication-method=normal", "--skip-test-db", "--user=root",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self.start()

    def start(self) -> PrivateMariaDB:
        assert self._dir is not None, "create() first"
        self._proc = subprocess.Popen(
            [
                "mariadbd", "--no-defaults", f"--datadir={self._dir / 'data'}", f"--port={self.port}",
                "--bind-address=127.0.0.1", f"--socket={self._dir / 'mysqld.sock'}",
                f"--pid-file={self._dir / 'mysqld.pid'}", "--user=root", "--skip-name-resolve",
                "--skip-log-bin", "--innodb-buffer-pool-size=16M", f"--log-error={self._dir / 'error.log'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not _answers(self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start on port {self.port}")
            time.sleep(0.1)
        return self

    def url(self, database: str = "") -> str:
        return f"mysql://root:@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """The server only; the data directory stays for `start()`."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def destroy(self) -> None:
        self.stop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    """MariaDB speaks first: a handshake packet means it accepts clients."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            return len(sock.recv(4)) == 4
    except OSError:
        return False
