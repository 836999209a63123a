"""Reading a Message Nest database (SQLite file or MySQL/MariaDB) with plain SQL on its real tables.

Message Nest (GORM, `TablePrefix` "message_", singular names) keeps its rows in
`message_send_ways`, `message_send_tasks`, `message_send_tasks_ins`, `message_template`,
`message_cron_messages`, `message_hosted_message`, and its history and site in
`message_send_tasks_logs`, `message_send_stats`, `message_login_log`, `message_settings` and
`message_auth`. Every table is read whole with `SELECT *`,
so columns added or missing across Message Nest versions do not break the import; a table that
does not exist (older versions have no templates or cron messages) reads as empty and is noted.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

Row = dict[str, Any]

# Our name for each kind of row → Message Nest's table name without the prefix.
TABLES = {
    "ways": "send_ways",
    "tasks": "send_tasks",
    "instances": "send_tasks_ins",
    "templates": "template",
    "cron": "cron_messages",
    "hosted": "hosted_message",
    "logs": "send_tasks_logs",
    "stats": "send_stats",
    "logins": "login_log",
    "settings": "settings",
    "accounts": "auth",
}
_PREFIX = re.compile(r"^[A-Za-z0-9_]{0,32}$")


class ImportFailed(Exception):
    """The import cannot run at all (unreadable source, unknown user…); nothing was written."""


class SourceError(ImportFailed):
    """The Message Nest database cannot be opened or read."""


@dataclass
class SourceData:
    """Every row the importer needs, keyed by our kind name (see TABLES)."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    missing_tables: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Row]:
        return self.rows.get(kind, [])


async def read_source(source: str, prefix: str = "message_") -> SourceData:
    """Read a Message Nest database: `mysql://user:pass@host:port/db`, or a SQLite file path."""
    if not _PREFIX.match(prefix):
        raise SourceError(f"not a table prefix: {prefix!r}")
    if source.startswith(("mysql://", "mariadb://")):
        return await _read_mysql(source, prefix)
    path = Path(source.removeprefix("sqlite://"))
    if not await asyncio.to_thread(path.is_file):
        raise SourceError(f"no SQLite database at {path}")
    return await _read_sqlite(path, prefix)


async def _read_sqlite(path: Path, prefix: str) -> SourceData:
    import sqlite3

    import aiosqlite

    try:
        async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as db:
            db.row_factory = aiosqlite.Row
            async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
                present = {str(row[0]) for row in await cursor.fetchall()}
            data = SourceData()
            for kind, table in TABLES.items():
                name = prefix + table
                if name not in present:
                    data.missing_tables.append(name)
                    continue
                async with db.execute(f'SELECT * FROM "{name}"') as cursor:  # noqa: S608 (checked prefix)
                    data.rows[kind] = [_clean(dict(row)) for row in await cursor.fetchall()]
    except sqlite3.Error as exc:
        raise SourceError(f"cannot read the SQLite database {path}: {exc}") from None
    _require_ways(data, prefix)
    return data


async def _read_mysql(url: str, prefix: str) -> SourceData:
    import aiomysql

    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    if not database or not parts.hostname:
        raise SourceError("give the MySQL source as mysql://user:password@host:port/database")
    try:
        conn = await aiomysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            db=database,
            charset="utf8mb4",
            connect_timeout=10,
        )
    except (aiomysql.MySQLError, OSError) as exc:
        raise SourceError(
            f"cannot connect to MySQL at {parts.hostname}:{parts.port or 3306}: {exc}"
        ) from None
    try:
        async with conn.cursor(aiomysql.DictCursor) as cursor:
            await cursor.execute("SHOW TABLES")
            present = {str(next(iter(row.values()))) for row in await cursor.fetchall()}
            data = SourceData()
            for kind, table in TABLES.items():
                name = prefix + table
                if name not in present:
                    data.missing_tables.append(name)
                    continue
                await cursor.execute(f"SELECT * FROM `{name}`")  # noqa: S608 (checked prefix)
                data.rows[kind] = [_clean(dict(row)) for row in await cursor.fetchall()]
    except aiomysql.MySQLError as exc:
        raise SourceError(f"cannot read the MySQL database {database}: {exc}") from None
    finally:
        conn.close()
    _require_ways(data, prefix)
    return data


def _require_ways(data: SourceData, prefix: str) -> None:
    if prefix + TABLES["ways"] in data.missing_tables and prefix + TABLES["tasks"] in data.missing_tables:
        raise SourceError(
            f"no {prefix}send_ways or {prefix}send_tasks table: is this a Message Nest database?"
        )


def _clean(row: Row) -> Row:
    """Lower-case column names; bytes as text; Decimal as int (MySQL may hand these back)."""
    out: Row = {}
    for key, value in row.items():
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("utf-8", errors="replace")
        elif isinstance(value, Decimal):
            value = int(value)
        out[str(key).lower()] = value
    return out


def text(row: Row, key: str) -> str:
    """A column as stripped text ("" for NULL or absent)."""
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def flag(row: Row, key: str, default: bool = True) -> bool:
    """An `enable`-style column (int 0/1, bool, or text)."""
    value = row.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off")
    return bool(value)
