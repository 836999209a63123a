"""The API → worker contract: ARQ job names, queue, and job ids derived from deliveries.

Producers enqueue by name, so the API never imports worker code. A job only says "these
deliveries are due"; the database rows are the truth, and a worker claims a row before it sends,
so a job that runs twice (ARQ is at-least-once) or finds its rows already taken does nothing.
"""

from __future__ import annotations

QUEUE_NAME = "pushnest:queue"
DELIVER = "deliver"
SWEEP = "sweep_stuck"
RUN_CRON = "run_cron_jobs"
PRUNE = "prune_old"


def deliver_job_id(delivery_ids: list[int], generation: int = 0) -> str:
    """Same deliveries, same generation → same id, so a double enqueue is a no-op in ARQ."""
    first = min(delivery_ids)
    return f"deliver:{first}:{len(delivery_ids)}:{generation}"
