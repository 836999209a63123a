"""Channels get `allow_private_targets`, an admin's per-channel decision (issue 11).

It replaces the webhook config's `allow_private_network`, which any owner could set: the flag
carries over only for channels owned by an admin, and the key leaves every webhook config.
"""

import json
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_LEGACY_KEY = "allow_private_network"


async def move_webhook_flag(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    # Each driver's parameter marks (kept here: a migration must not change with later code).
    marks = {"sqlite": ("?", "?", "?"), "postgres": ("$1", "$2", "$3")}.get(
        client.capabilities.dialect, ("%s", "%s", "%s")
    )
    rows = await client.execute_query_dict(
        "SELECT c.id, c.config, u.role FROM channels c JOIN users u ON u.id = c.owner_id "
        "WHERE c.type = 'webhook'"
    )
    for row in rows:
        config = row["config"] if isinstance(row["config"], dict) else json.loads(row["config"] or "{}")
        if _LEGACY_KEY not in config:
            continue
        allowed = bool(config.pop(_LEGACY_KEY)) and row["role"] == "admin"
        await client.execute_query(
            "UPDATE channels SET config = {}, allow_private_targets = {} WHERE id = {}".format(*marks),
            [json.dumps(config), allowed, row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Channel",
            name="allow_private_targets",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunPython(move_webhook_flag, ops.RunPython.noop),
    ]
