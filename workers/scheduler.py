"""Firing cron messages: the ARQ job for scale-out workers, and a loop for the all-in-one mode.

Both only call `fire_due`, which claims each tick with a conditional update, so any number of
workers (and a loop alongside them) send every tick exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from schema.services.cron_jobs import fire_due
from schema.services.runtime import Runtime

log = logging.getLogger("pushnest.cron")


async def run_cron_jobs(ctx: dict[str, Any]) -> int:
    """ARQ job: send the cron messages that are due; returns how many sends were accepted."""
    runtime: Runtime = ctx["runtime"]
    return await fire_due(runtime)


async def cron_loop(runtime: Runtime, stop: asyncio.Event, interval: float = 1.0) -> None:
    """Call `fire_due` every `interval` seconds until `stop` is set; errors are logged, not raised."""
    while not stop.is_set():
        try:
            await fire_due(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("firing cron jobs failed; trying again in %.1f s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
