"""The migrations build what the models declare: every index and unique constraint is there.

Tortoise's SQLite editor carries out an AlterField by rebuilding the table, which silently dropped
every index of `messages` and `deliveries` and the unique (owner, idempotency key) constraint that
settles concurrent sends with one idempotency key; nothing failed until two such sends raced.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

Indexes = dict[str, set[tuple[bool, tuple[str, ...]]]]


def indexes_of(path: Path) -> Indexes:
    """Per table: (unique, columns) of each index, names aside (migrations may name them apart)."""
    found: Indexes = {}
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table.startswith("sqlite_") or table == "tortoise_migrations":
                continue
            entries = found.setdefault(table, set())
            for _, name, unique, origin, _partial in db.execute(f'PRAGMA index_list("{table}")'):
                if origin == "pk":
                    continue
                columns = tuple(row[2] for row in db.execute(f'PRAGMA index_info("{name}")'))
                entries.add((bool(unique), columns))
    return found


def run(*args: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_migrating_a_new_database_gives_every_index_the_models_declare(tmp_path: Path) -> None:
    data_dir = tmp_path / "migrated"
    env = {k: v for k, v in os.environ.items() if k != "PUSHNEST_DATABASE_URL"}
    env["PUSHNEST_DATA_DIR"] = str(data_dir)
    run("-c", "from server.cli import main; main()", "migrate", env=env)
    declared_db = tmp_path / "declared.db"
    run("-m", "tests.schema.migrations.generate_models_schema", f"sqlite://{declared_db}")

    migrated, declared = indexes_of(data_dir / "pushnest.db"), indexes_of(declared_db)
    assert set(migrated) == set(declared)
    missing = {
        table: declared[table] - migrated[table] for table in declared if declared[table] - migrated[table]
    }
    assert missing == {}
    assert (True, ("owner_id", "idempotency_key")) in migrated["messages"]
