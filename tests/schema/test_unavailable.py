"""`unavailable()` knows an outage from a bug, on errors the real drivers raise (nothing faked)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiomysql
import pytest
from redis.asyncio import Redis
from tortoise.exceptions import IntegrityError, OperationalError

from schema.unavailable import DATABASE_DOWN, REDIS_DOWN, unavailable
from tests.conftest import free_port


async def mysql_refused() -> BaseException:
    try:
        await aiomysql.connect(host="127.0.0.1", port=free_port(), user="root", connect_timeout=2)
    except Exception as exc:
        return exc
    raise AssertionError("nothing should listen on a free port")


def sqlite_error(tmp_path: Path, sql: str) -> sqlite3.Error:
    try:
        with sqlite3.connect(tmp_path / "db.sqlite") as conn:
            conn.execute(sql)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"{sql!r} should fail")


async def test_mariadb_that_refuses_connections_is_an_outage() -> None:
    refused = await mysql_refused()
    assert unavailable(refused) is not None
    # Tortoise wraps the driver's error, as its clients do: `raise OperationalError(exc)`.
    try:
        raise OperationalError(refused)
    except OperationalError as wrapped:
        outage = unavailable(wrapped)
    assert outage is not None and outage.code == "UNAVAILABLE" and outage.message == DATABASE_DOWN


def test_sqlite_that_cannot_open_its_file_is_an_outage(tmp_path: Path) -> None:
    try:
        sqlite3.connect(tmp_path / "no-such-dir" / "db.sqlite")
    except sqlite3.OperationalError as exc:
        assert unavailable(OperationalError(exc)) is not None
    else:
        raise AssertionError("sqlite should not open a file in a missing directory")


def test_sqlite_locked_past_its_busy_timeout_is_an_outage(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with sqlite3.connect(path, timeout=0.05) as other:
            other.execute("SELECT * FROM t")
    except sqlite3.OperationalError as locked:
        assert "locked" in str(locked) and unavailable(OperationalError(locked)) is not None
    else:
        raise AssertionError("the exclusive lock should keep the reader out")
    finally:
        holder.close()


async def redis_refused() -> BaseException:
    client = Redis(port=free_port(), socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        return exc
    finally:
        await client.aclose()
    raise AssertionError("nothing should listen on a free port")


async def test_redis_that_refuses_connections_is_an_outage() -> None:
    outage = unavailable(await redis_refused())
    assert outage is not None and outage.message == REDIS_DOWN


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT * FROM missing_table"], ids=["syntax", "unknown-table"])
def test_query_mistakes_are_not_outages(tmp_path: Path, sql: str) -> None:
    assert unavailable(OperationalError(sqlite_error(tmp_path, sql))) is None


def test_other_failures_are_not_outages() -> None:
    assert unavailable(IntegrityError("duplicate key")) is None
    assert unavailable(RuntimeError("a bug")) is None
    # A MySQL error code that is about the query, not the connection (1064: syntax error).
    assert unavailable(aiomysql.OperationalError(1064, "You have an error in your SQL syntax")) is None
