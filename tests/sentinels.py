"""Proof that a test run touches only what it created: sentinels in the machine's Redis and MariaDB.

At the start of the session a sentinel key goes into every database of the machine's Redis and a
sentinel schema with a row into its MariaDB; at the end each must still be there. A test that runs
FLUSHALL/FLUSHDB on the shared Redis, or drops schemas it did not create, makes the run fail here
(tests that need to flush or kill Redis start their own server: `private_redis`). Other processes on
the machine never touch these random names, so the check holds with other runs going on.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

MACHINE_REDIS = os.environ.get("PUSHNEST_TEST_MACHINE_REDIS", "redis://127.0.0.1:6379")
MACHINE_MYSQL = os.environ.get("PUSHNEST_TEST_MYSQL", "mysql://root:@127.0.0.1:3306")
_KEY_TTL_SECONDS = 6 * 3600  # a run killed before its end leaves nothing behind for long


@dataclass
class Sentinels:
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    redis_dbs: list[int] = field(default_factory=list)
    schema: str | None = None

    @property
    def key(self) -> str:
        return f"pushnest:test-sentinel:{self.token}"


def _redis(db: int) -> Any:
    import redis

    return redis.Redis.from_url(MACHINE_REDIS, db=db, socket_timeout=2, socket_connect_timeout=1)


def _mysql() -> Any:
    import pymysql

    parts = urlsplit(MACHINE_MYSQL)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        autocommit=True,
        connect_timeout=2,
    )


def _plant(sentinels: Sentinels) -> None:
    try:
        first = _redis(0)
        count = int(first.config_get("databases").get("databases", 16))
        first.close()
        for db in range(count):
            client = _redis(db)
            client.set(sentinels.key, "1", ex=_KEY_TTL_SECONDS)
            client.close()
            sentinels.redis_dbs.append(db)
    except Exception:  # no Redis on this machine: nothing of it to protect
        sentinels.redis_dbs.clear()
    try:
        conn = _mysql()
    except Exception:
        return
    name = f"pushnest_sentinel_{sentinels.token}"
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
        cur.execute(f"CREATE TABLE {name}.kept (id INT PRIMARY KEY)")
        cur.execute(f"INSERT INTO {name}.kept VALUES (1)")
    conn.close()
    sentinels.schema = name


def _check_and_remove(sentinels: Sentinels) -> list[str]:
    lost: list[str] = []
    for db in sentinels.redis_dbs:
        client = _redis(db)
        if not client.delete(sentinels.key):
            lost.append(f"Redis db {db} of {MACHINE_REDIS} was flushed")
        client.close()
    if sentinels.schema is not None:
        conn = _mysql()
        with conn.cursor() as cur:
            try:
                cur.execute(f"SELECT COUNT(*) FROM {sentinels.schema}.kept")
                if cur.fetchone()[0] != 1:
                    lost.append(f"rows of MariaDB schema {sentinels.schema} were deleted")
            except Exception:
                lost.append(f"MariaDB schema {sentinels.schema} was dropped")
            cur.execute(f"DROP DATABASE IF EXISTS {sentinels.schema}")
        conn.close()
    return lost


_planted = Sentinels()


def pytest_sessionstart(session: pytest.Session) -> None:
    _plant(_planted)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    lost = _check_and_remove(_planted)
    if lost:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "the test run touched what it did not create: " + "; ".join(lost)
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
