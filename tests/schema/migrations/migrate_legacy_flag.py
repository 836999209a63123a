"""Run by test_0002: a database at 0001 with pre-issue-11 webhook rows, then migrated to the latest.

A separate process, because Tortoise's configuration is global and the test process has its own.
Prints the resulting channels as JSON: {name: [config, allow_private_targets]}.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from schema.db import tortoise_config

ROWS = [
    # (owner, role, channel name, config)
    ("root", "admin", "admin-lan-hook", {"url": "http://10.0.0.5/x", "allow_private_network": True}),
    ("ann", "member", "member-lan-hook", {"url": "http://10.0.0.6/x", "allow_private_network": True}),
    ("root", "admin", "admin-public-hook", {"url": "https://h.example/x", "allow_private_network": False}),
    ("ann", "member", "member-plain-hook", {"url": "https://h.example/y"}),
]


async def main(url: str) -> None:
    config = tortoise_config(url)
    await migrate(config=config, target="models.0001_initial")
    await Tortoise.init(config=config)
    db = connections.get("default")
    mark = "?" if db.capabilities.dialect == "sqlite" else "%s"
    now = "2024-01-01 00:00:00"
    for user_id, (name, role) in enumerate([("root", "admin"), ("ann", "member")], start=1):
        await db.execute_query(
            "INSERT INTO users (id, username, password_hash, role, is_active, token_version, created_at, "
            f"updated_at) VALUES ({mark}, {mark}, 'x', {mark}, 1, 0, {mark}, {mark})",
            [user_id, name, role, now, now],
        )
    owners = {"root": 1, "ann": 2}
    for owner, _, name, channel_config in ROWS:
        await db.execute_query(
            "INSERT INTO channels (owner_id, name, type, config, secrets_sealed, enabled, created_at, updated_at) "
            f"VALUES ({mark}, {mark}, 'webhook', {mark}, '', 1, {mark}, {mark})",
            [owners[owner], name, json.dumps(channel_config), now, now],
        )
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    rows = await connections.get("default").execute_query_dict(
        "SELECT name, config, allow_private_targets FROM channels"
    )
    result = {
        r["name"]: [
            json.loads(r["config"]) if isinstance(r["config"], str) else r["config"],
            bool(r["allow_private_targets"]),
        ]
        for r in rows
    }
    print(json.dumps(result))
    await Tortoise.close_connections()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1]))
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)  # aiosqlite's worker thread would keep a failed run alive
