"""Database lifecycle: Tortoise config from Settings, migrations under a lock, open and close.

Migrations are applied at start-up by every process; a lock (MySQL `GET_LOCK`, PostgreSQL
`pg_advisory_lock`, or a file lock for SQLite) makes two processes starting at once take turns, and
the second finds nothing to do.

Hand-written statements are written once with `?` marks and put into each driver's style by
`statement()`; the few places where the dialects differ in more than marks ask `dialect()`.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import itertools
import logging
import os
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.exceptions import OperationalError
from tortoise.migrations.api import migrate

from schema.files import DIR_MODE, narrow_if_present, open_private, private_dir, private_file
from schema.settings import DatabaseKind, Settings, database_kind

MODELS_MODULE = "schema.models"
MIGRATIONS_MODULE = "schema.migrations"
_LOCK_NAME = "pushnest_migrate"
_LOCK_TIMEOUT_SECONDS = 120
# Advisory locks are named by a 64-bit number: this name's, so it reads the same in every process.
_POSTGRES_LOCK_KEY = int.from_bytes(hashlib.blake2b(_LOCK_NAME.encode(), digest_size=8).digest(), signed=True)
_MYSQL_DEFAULTS = {
    # Below MariaDB's default wait_timeout (28800 s) and typical proxy idle cuts.
    "pool_recycle": "280",
    "minsize": "1",
    "maxsize": "20",
    "charset": "utf8mb4",
    # READ COMMITTED takes no gap locks: a worker's SELECT … FOR UPDATE SKIP LOCKED over due rows
    # then cannot deadlock with the API inserting new deliveries next to them. Nothing here relies
    # on repeatable reads; claims and state changes are conditional updates.
    "init_command": "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
}
# PostgreSQL reads committed by default, which is what the claims rely on (see above); asyncpg's
# pool would otherwise hold 5 connections, fewer than a worker's parallel sends need.
_POSTGRES_DEFAULTS = {"minsize": "1", "maxsize": "20"}
_URL_DEFAULTS: dict[DatabaseKind, dict[str, str]] = {
    "mysql": _MYSQL_DEFAULTS,
    "postgres": _POSTGRES_DEFAULTS,
    "sqlite": {},
}


def tortoise_config(database_url: str, session_init: str | None = None) -> dict[str, Any]:
    """`session_init` replaces the MySQL connections' first statement (see `session_limits`)."""
    return {
        "connections": {"default": _normalise_url(database_url, session_init)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _normalise_url(url: str, session_init: str | None = None) -> str:
    kind = database_kind(url)
    defaults = dict(_URL_DEFAULTS[kind])
    if kind == "mysql" and session_init:
        defaults["init_command"] = session_init
    if not defaults:
        return url
    parts = urlsplit(url)
    query = defaults | dict(parse_qsl(parts.query))
    return urlunsplit(parts._replace(query=urlencode(query)))


def session_limits(server_version: str, settings: Settings) -> str:
    """READ COMMITTED (as `_MYSQL_DEFAULTS`) plus the lock-wait and statement time limits, as the one
    statement aiomysql's `init_command` runs. The names differ between the two servers: MariaDB
    has `max_statement_time` (seconds, every statement) and `tx_isolation` (`transaction_isolation`
    from 11.1), MySQL `max_execution_time` (milliseconds, SELECTs only) and `transaction_isolation`."""
    lock_wait = settings.db_lock_wait_seconds
    # Table locks (LOCK TABLES, DDL) wait on `lock_wait_timeout`, row locks on InnoDB's own.
    common = f"innodb_lock_wait_timeout={lock_wait}, lock_wait_timeout={lock_wait}"
    if "mariadb" in server_version.lower():
        major, minor = (int(n) for n in server_version.split(".")[:2])
        isolation = "transaction_isolation" if (major, minor) >= (11, 1) else "tx_isolation"
        limit = f"max_statement_time={settings.db_statement_seconds:g}"
    else:
        isolation = "transaction_isolation"
        limit = f"max_execution_time={int(settings.db_statement_seconds * 1000)}"
    return f"SET SESSION {isolation}='READ-COMMITTED', {common}, {limit}"


# Used only by `tortoise makemigrations` (see [tool.tortoise] in pyproject.toml).
MIGRATION_CONFIG = tortoise_config(os.environ.get("PUSHNEST_MIGRATIONS_DB", "sqlite://:memory:"))


class _QuietTortoise(logging.Filter):
    """Tortoise logs "Tortoise-ORM shutdown" (INFO) whenever connections close, which PushNest does
    at start between migrating and the real init, where it reads like a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Tortoise-ORM shutdown"


logging.getLogger("tortoise").addFilter(_QuietTortoise())


async def open_database(settings: Settings) -> None:
    """Apply pending migrations, then initialise Tortoise for this process."""
    config = tortoise_config(settings.database_url)
    if settings.is_sqlite:
        _private_sqlite_files(settings)
    async with _migration_lock(settings) as server_version:
        with warnings.catch_warnings():
            # Tortoise's recorder runs CREATE TABLE IF NOT EXISTS on every start; MariaDB answers
            # "already exists" with a note that aiomysql turns into a Python warning.
            warnings.filterwarnings("ignore", message="Table 'tortoise_migrations' already exists")
            await migrate(config=config)
        await Tortoise.close_connections()
    if server_version is not None:  # migrations may run long; everything after them is limited
        config = tortoise_config(settings.database_url, session_limits(server_version, settings))
    # The global fallback lets requests (other tasks than the lifespan's) see the context.
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await open_database(settings)
    try:
        yield
    finally:
        await close_database()


@asynccontextmanager
async def _migration_lock(settings: Settings) -> AsyncIterator[str | None]:
    """Held while migrating; yields the MySQL server's version (None for SQLite and PostgreSQL)."""
    kind = settings.database_kind
    if kind == "sqlite":
        async with _file_lock(_sqlite_lock_path(settings.database_url)):
            yield None
    elif kind == "postgres":
        async with _postgres_lock(settings.database_url):
            yield None
    else:
        async with _mysql_lock(settings.database_url) as version:
            yield version


def _sqlite_file(url: str) -> Path | None:
    path = urlsplit(url).path if "://" in url else url
    if not path or ":memory:" in url:
        return None
    return Path(unquote(path))


def _sqlite_lock_path(url: str) -> Path | None:
    db_file = _sqlite_file(url)
    return None if db_file is None else db_file.with_name(db_file.name + ".migrate.lock")


def _private_sqlite_files(settings: Settings) -> None:
    """The database file 0600 before SQLite opens it (its journals take its mode), in a 0700 dir."""
    db_file = _sqlite_file(settings.database_url)
    if db_file is None:
        return
    if db_file.parent.resolve() == settings.data_dir.resolve():
        private_dir(db_file.parent)
    else:  # a directory the operator chose: made private if new, otherwise left as it is
        db_file.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    private_file(db_file)
    for suffix in ("-wal", "-shm", "-journal"):
        narrow_if_present(db_file.with_name(db_file.name + suffix))


@asynccontextmanager
async def _file_lock(path: Path | None) -> AsyncIterator[None]:
    if path is None:
        yield
        return
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    handle = open_private(path)
    try:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


@asynccontextmanager
async def _mysql_lock(url: str) -> AsyncIterator[str]:
    import aiomysql

    parts = urlsplit(url)
    conn = await aiomysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        db=parts.path.lstrip("/") or None,
        autocommit=True,
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute("SELECT GET_LOCK(%s, %s)", (_LOCK_NAME, _LOCK_TIMEOUT_SECONDS))
            (got,) = await cur.fetchone()
        if got != 1:
            raise TimeoutError(f"another process held the migration lock for {_LOCK_TIMEOUT_SECONDS}s")
        async with conn.cursor() as cur:
            await cur.execute("SELECT VERSION()")
            (version,) = await cur.fetchone()
        yield str(version)
    finally:
        async with conn.cursor() as cur:
            await cur.execute("SELECT RELEASE_LOCK(%s)", (_LOCK_NAME,))
        conn.close()


@asynccontextmanager
async def _postgres_lock(url: str) -> AsyncIterator[None]:
    """A session-level advisory lock: released by the unlock, or by the server if we die."""
    import asyncpg

    parts = urlsplit(url)
    conn = await asyncpg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        database=parts.path.lstrip("/") or None,
    )
    try:
        key = _POSTGRES_LOCK_KEY
        try:
            await conn.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT_SECONDS}s'")
            await conn.execute("SELECT pg_advisory_lock($1)", key)
        except asyncpg.exceptions.LockNotAvailableError:
            raise TimeoutError(
                f"another process held the migration lock for {_LOCK_TIMEOUT_SECONDS}s"
            ) from None
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    finally:
        await conn.close()


def dialect(conn: Any) -> DatabaseKind:
    """Which database a Tortoise connection speaks to."""
    name = conn.capabilities.dialect
    return "postgres" if name == "postgres" else "mysql" if name == "mysql" else "sqlite"


_MARK = re.compile(r"\?")


def statement(conn: Any, sql: str) -> str:
    """`sql`, written with `?` parameter marks, in the style of the connection's driver: `?` for
    SQLite, `%s` for aiomysql, `$1, $2, …` for asyncpg. No statement here has a literal `?`."""
    kind = dialect(conn)
    if kind == "sqlite":
        return sql
    if kind == "mysql":
        return sql.replace("?", "%s")
    numbers = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(numbers)}", sql)


_DEADLOCK_RETRIES = 5
T = TypeVar("T")


async def retry_deadlocks(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` (one whole transaction), again if the database chose it as a deadlock victim.

    Busy tables make such victims a matter of course: the transaction was rolled back entirely,
    so running it again is the documented remedy.
    """
    for attempt in range(_DEADLOCK_RETRIES):
        try:
            return await work()
        except OperationalError as exc:
            if not _is_deadlock(exc) or attempt == _DEADLOCK_RETRIES - 1:
                raise
            await asyncio.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


def _is_deadlock(exc: OperationalError) -> bool:
    # InnoDB's error 1213; PostgreSQL's SQLSTATE 40P01, whose text asyncpg passes on.
    text = str(exc)
    return "1213" in text or "deadlock detected" in text
