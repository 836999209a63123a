"""Migration 0002: the webhook's `allow_private_network` becomes the channel's admin-only flag.

Any owner could set the old config key; the flag carries over only where an admin owned the
channel, and the key leaves every config (the config model now refuses it). Run on a database
that has channels already: a NOT NULL column added without a database default fails there
(SQLite: "Cannot add a NOT NULL column with default value NULL"), which an empty test database
never shows.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MYSQL_ROOT, mysql_admin
from tests.conftest import test_db_kind as db_kind

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if db_kind() != "mysql":
        yield f"sqlite://{tmp_path / 'legacy.db'}"
        return
    import asyncio

    name = f"pushnest_mig_{secrets.token_hex(4)}"
    asyncio.run(mysql_admin(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield f"{MYSQL_ROOT}/{name}"
    finally:
        asyncio.run(mysql_admin(f"DROP DATABASE IF EXISTS {name}"))


def test_the_flag_moves_to_the_channel_for_admins_only(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.schema.migrations.migrate_legacy_flag", database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    channels = json.loads(result.stdout.strip().splitlines()[-1])
    assert channels == {
        "admin-lan-hook": [{"url": "http://10.0.0.5/x"}, True],
        "member-lan-hook": [{"url": "http://10.0.0.6/x"}, False],
        "admin-public-hook": [{"url": "https://h.example/x"}, False],
        "member-plain-hook": [{"url": "https://h.example/y"}, False],
    }
