"""Is this failure an outage of the database or Redis (answer 503, try again), rather than a bug?

One classifier for every edge of the API (GraphQL errors, REST replies, the app's last-resort
handler): a request that fails because MariaDB is down or stopped its statement at a time limit
(a lock held too long, see `session_limits` in schema/db.py), SQLite cannot open or lock its file,
or Redis refuses connections gets `UNAVAILABLE` instead of an internal error with a traceback.
Tortoise wraps driver errors in its own (the driver's error as `args[0]` or as the cause), so
the whole chain is looked at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import redis.exceptions
from aiomysql import InterfaceError as MySQLInterfaceError  # PyMySQL's, re-exported
from aiomysql import OperationalError as MySQLOperationalError
from tortoise.exceptions import DBConnectionError

from schema.errors import Unavailable

DATABASE_DOWN = "the database is unavailable; try again shortly"
DATABASE_BUSY = (
    "the database did not answer in time (a lock is held or a statement ran too long); try again shortly"
)
REDIS_DOWN = "Redis is unavailable; try again shortly"

# MySQL/MariaDB client and server codes that mean "no usable connection", not "bad query":
# can't connect (2002, 2003), server gone or lost mid-query (2006, 2013, 2055), too many
# connections (1040), server shutting down (1053).
_MYSQL_GONE = frozenset({1040, 1053, 2002, 2003, 2006, 2013, 2055})
# The server's own time limits: lock wait timeout (1205), MariaDB's max_statement_time (1969) and
# MySQL's max_execution_time (3024). The statement was stopped and its transaction can be retried.
_MYSQL_TIMED_OUT = frozenset({1205, 1969, 3024})
# SQLite: the file cannot be opened, or stayed locked past the busy timeout, or the disk failed.
_SQLITE_GONE = ("unable to open database file", "database is locked", "disk i/o error")
_MAX_CHAIN = 8


def unavailable(exc: BaseException) -> Unavailable | None:
    """The typed error to answer with when `exc` comes from an unreachable database or Redis."""
    for item in _chain(exc):
        if _redis_down(item):
            return Unavailable(REDIS_DOWN)
        if _database_down(item):
            return Unavailable(DATABASE_DOWN)
        if _database_timed_out(item):
            return Unavailable(DATABASE_BUSY)
    return None


def _database_down(exc: BaseException) -> bool:
    if isinstance(exc, DBConnectionError | MySQLInterfaceError):
        return True
    if isinstance(exc, MySQLOperationalError):
        return bool(exc.args) and exc.args[0] in _MYSQL_GONE
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_GONE)
    return False


def _database_timed_out(exc: BaseException) -> bool:
    return isinstance(exc, MySQLOperationalError) and bool(exc.args) and exc.args[0] in _MYSQL_TIMED_OUT


def _redis_down(exc: BaseException) -> bool:
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, the exceptions it carries as arguments, and its causes, a few levels deep."""
    seen: set[int] = set()
    pending = [exc]
    while pending and len(seen) < _MAX_CHAIN:
        item = pending.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending.extend(arg for arg in item.args if isinstance(arg, BaseException))
        pending.extend(e for e in (item.__cause__, item.__context__) if e is not None)
