"""The index on `inbox_items.preview_key` that migration 0009 declared but did not create.

Tortoise's AddField creates a column's UNIQUE constraint but not its plain index (`db_index`), so
every public preview page read scanned the whole inbox table. Created here only where it is missing:
a database migrated by a later Tortoise may have it already.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

_NAME = "idx_inbox_items_preview_key"


async def index_preview_key(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "mysql":
        rows = await client.execute_query_dict(
            "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() "
            "AND table_name = 'inbox_items' AND column_name = 'preview_key' AND seq_in_index = 1"
        )
        if not rows:
            await client.execute_script(f"CREATE INDEX {_NAME} ON inbox_items (preview_key)")
        return
    await client.execute_script(f"CREATE INDEX IF NOT EXISTS {_NAME} ON inbox_items (preview_key)")


class Migration(migrations.Migration):
    dependencies = [("models", "0012_delivery_receiver_outcomes")]

    initial = False

    operations = [
        ops.RunPython(index_preview_key, ops.RunPython.noop),
    ]
