"""Run by test_migrated_schema: the tables the models declare, created directly (no migrations) in
the SQLite file given. A separate process, because Tortoise's configuration is global."""

from __future__ import annotations

import asyncio
import sys

from tortoise import Tortoise

from schema.db import tortoise_config


async def main(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url))
    try:
        await Tortoise.generate_schemas()
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
