"""Message Nest's history → PushNest: send logs as messages, daily counters as statistics, login
log entries into the audit log.

Every row gets a stable legacy id ("mn-log-<id>", "mn-login-<id>"), so a second run finds what
the first wrote and adds nothing. History is written in bulk (Message Nest keeps 1,000 send logs
by default, but nothing stops a user from keeping far more). Imported messages carry their
`legacy_id`, so retention never prunes them (schema/services/retention.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from schema.importer.context import ImportRun, mn_time, ordered
from schema.importer.source import Row, text
from schema.models import AuditLog, DeliveryStat, Message
from schema.models.messages import MessageStatus
from schema.models.stats import ALL

# Message Nest's own cleanup jobs log their runs under these reserved task ids: not sends.
CLEANUP_TASK_IDS = {"T-IM1GBswSRY": "send-log cleanup", "T-HM2KCxwTZQ": "hosted-message cleanup"}
# The channel type imported counters are kept under: no PushNest channel has it, so PushNest's
# own counters for the same day and task are never overwritten, and a re-run sets the same values.
IMPORTED_STATS_TYPE = "message_nest"
SOURCE = "message-nest"
_BATCH = 500


def when(run: ImportRun, row: Row, what: str) -> datetime:
    """The row's creation time; a NULL or unreadable one falls back to its modification time, then
    to now, and is reported (Message Nest rows from before GORM's autoCreateTime can lack it)."""
    for column in ("created_on", "modified_on"):
        moment = mn_time(row.get(column))
        if moment is not None:
            if column != "created_on":
                run.report.note(f"{what}: no creation time; dated by its last change")
            return moment
    run.report.note(f"{what}: no usable timestamp; dated at the time of the import")
    return run.started_at


# ---- send logs → messages -------------------------------------------------------------------------


async def import_send_logs(run: ImportRun) -> None:
    rows = ordered(run.data.of("logs"))
    if not rows:
        return
    stored = await Message.filter(owner_id=run.owner.id, legacy_id__startswith="mn-log-").values_list(
        "legacy_id", flat=True
    )
    seen = {str(legacy) for legacy in stored}
    bar = run.progress("messages", len(rows))
    cleanups: dict[str, int] = defaultdict(int)
    fresh: list[Message] = []
    for row in rows:
        bar.advance()
        task_ref = text(row, "task_id")
        if task_ref in CLEANUP_TASK_IDS:
            cleanups[CLEANUP_TASK_IDS[task_ref]] += 1
            continue
        legacy = f"mn-log-{text(row, 'id')}"
        if legacy in seen:
            run.report.skipped("messages")
            continue
        seen.add(legacy)
        fresh.append(_message(run, row, legacy))
        run.report.created("messages")
    async with in_transaction():
        for start in range(0, len(fresh), _BATCH):
            await Message.bulk_create(fresh[start : start + _BATCH])
    bar.finish()
    for job, count in cleanups.items():
        run.report.leave_out(
            f"send logs: {count} run(s) of Message Nest's {job} job",
            "not sends; PushNest has its own retention",
        )
    run.report.note(
        "send logs: imported as messages with their outcome and Message Nest's whole log text; "
        "Message Nest did not record per-channel results, so they have no deliveries"
    )


def _message(run: ImportRun, row: Row, legacy: str) -> Message:
    task_ref, is_template = text(row, "task_id"), text(row, "type").lower() == "template"
    task = None if is_template else run.tasks.get(task_ref)
    template = run.templates.get(task_ref) if is_template else None
    log = str(row.get("log") or "")
    first_line = next((line.strip() for line in log.splitlines() if line.strip()), "")
    at = when(run, row, f"send log {text(row, 'id')}")
    caller = text(row, "caller_ip")
    return Message(
        owner_id=run.owner.id,
        task_id=task.id if task else None,
        template_id=template.id if template else None,
        source=SOURCE,
        source_name=(text(row, "name") or task_ref)[:100],
        title=first_line[:500],
        text=log,
        status=MessageStatus.SUCCEEDED if text(row, "status") == "1" else MessageStatus.FAILED,
        # "[CrondTask] [name] ID: …" for Message Nest's cron sends; an address otherwise.
        caller_ip=caller[:64],
        created_at=at,
        finished_at=at,
        legacy_id=legacy,
    )


# ---- send_stats → daily counters ------------------------------------------------------------------


async def import_statistics(run: ImportRun) -> None:
    rows = run.data.of("stats")
    if not rows:
        return
    wanted: dict[tuple[date, int, int, int], list[int]] = defaultdict(lambda: [0, 0])
    unknown: set[str] = set()
    for row in rows:
        day = _day(text(row, "day"))
        if day is None:
            run.report.failed("statistics", f"send_stats {text(row, 'id')}", f"day {text(row, 'day')!r}")
            continue
        task_id, template_id = _target(run, row)
        if (task_id, template_id) == (0, 0):
            unknown.add(text(row, "task_id"))
        number = int(row.get("num") or 0)
        slot = 0 if text(row, "status") == "success" else 1
        # One row per day for the totals (as a channel) and one per day and task or template.
        wanted[(day, 0, ALL, ALL)][slot] += number
        if (task_id, template_id) != (0, 0):
            wanted[(day, ALL, task_id, template_id)][slot] += number
    async with in_transaction():
        for (day, channel_id, task_id, template_id), (succeeded, failed) in sorted(wanted.items()):
            await _set_counters(run, day, channel_id, task_id, template_id, succeeded, failed)
    if unknown:
        run.report.note(
            f"statistics: counts of {len(unknown)} deleted task(s) or template(s) are in the totals only"
        )
    run.report.note(
        "statistics: Message Nest counted send calls by its UTC+8 day; they are kept as sends of "
        f"channel type {IMPORTED_STATS_TYPE!r} on those days, without latencies"
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _target(run: ImportRun, row: Row) -> tuple[int, int]:
    ref = text(row, "task_id")
    if text(row, "task_type").lower() == "template":
        template = run.templates.get(ref)
        return (0, template.id) if template else (0, 0)
    task = run.tasks.get(ref)
    return (task.id, 0) if task else (0, 0)


async def _set_counters(
    run: ImportRun, day: date, channel_id: int, task_id: int, template_id: int, succeeded: int, failed: int
) -> None:
    """Sets (never adds) the imported counts, so a second run leaves them as they are."""
    key: dict[str, Any] = {
        "day": day,
        "owner_id": run.owner.id,
        "channel_type": IMPORTED_STATS_TYPE,
        "channel_id": channel_id,
        "task_id": task_id,
        "template_id": template_id,
    }
    values: dict[str, Any] = {"sent": succeeded + failed, "succeeded": succeeded, "failed": failed}
    existing = await DeliveryStat.get_or_none(**key)
    if existing is None:
        await DeliveryStat.create(**key, **values)
        run.report.created("statistics")
    elif all(getattr(existing, k) == v for k, v in values.items()):
        run.report.skipped("statistics")
    else:
        await DeliveryStat.filter(id=existing.id).update(**values)
        run.report.updated("statistics")


# ---- login_log → audit log ------------------------------------------------------------------------


async def import_logins(run: ImportRun) -> None:
    rows = ordered(run.data.of("logins"))
    if not rows:
        return
    stored = await AuditLog.filter(action="login", actor_id=None).values_list("actor_name", "ip", "diff")
    seen = {_login_key(str(n), str(ip), d) for n, ip, d in stored if isinstance(d, dict)}
    fresh: list[AuditLog] = []
    for row in rows:
        legacy = f"mn-login-{text(row, 'id')}"
        diff = {"source": SOURCE, "messageNestId": legacy, "userAgent": text(row, "ua")[:512]}
        key = _login_key(text(row, "username")[:64], text(row, "ip")[:64], diff)
        if key in seen:
            run.report.skipped("audit_log")
            continue
        seen.add(key)
        fresh.append(
            AuditLog(
                actor_name=text(row, "username")[:64],
                action="login",
                object_type="user",
                ip=text(row, "ip")[:64],
                diff=diff,
                created_at=when(run, row, f"login log {text(row, 'id')}"),
            )
        )
        run.report.created("audit_log")
    async with in_transaction():
        for start in range(0, len(fresh), _BATCH):
            await AuditLog.bulk_create(fresh[start : start + _BATCH])
    run.report.note("login log: Message Nest's successful sign-ins are in the audit log as 'login' entries")


def _login_key(username: str, ip: str, diff: dict[str, Any]) -> tuple[str, ...]:
    """The audit log has no owner to scope ids by: an entry is the same if its content is (the
    time is left out, since a row without one is dated at the import)."""
    return (username, ip, str(diff.get("messageNestId")), str(diff.get("userAgent")))
