"""Cron messages: a task or template sent on a 5-field cron schedule (or a descriptor such as
`@daily` or `@every 2h`) in the job's own time zone.

Every tick is sent exactly once however many workers call `fire_due`: a worker claims a tick by
moving `next_run_at` on with a compare-and-set update, and only the one whose update changed the
row sends. The send's idempotency key names the job and the tick, so a worker that crashes after
sending and is retried cannot send the same tick twice. Ticks missed while nothing ran are sent
once, then the schedule continues from the next future tick.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from pydantic import Field, StringConstraints, field_validator, model_validator

from schema.domain import cron_descriptors as descriptors
from schema.errors import BadInput, NotFound, PushNestError
from schema.models import CronJob, Task, Template, User
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.sending import SendResult, accept_send
from schema.services.validation import Body, Input, LinkUrl, Name, Title, parse

log = logging.getLogger("pushnest.cron")

MAX_PAYLOAD_BYTES = 64 * 1024
_Expression = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def check_expression(expression: str) -> str:
    """A standard 5-field cron expression (minute hour day month weekday) that fires at some point,
    or a descriptor as Message Nest's scheduler takes them (`@daily`, `@hourly`, `@every 2h`…).

    Seconds (6 or 7 fields, `@every 30s`) are refused, so no job fires more often than once a minute.
    """
    expression = " ".join(expression.split())
    if descriptors.is_descriptor(expression):
        return descriptors.normalize(expression)
    fields = expression.split(" ")
    if len(fields) != 5:
        raise ValueError(f"give 5 fields (minute hour day-of-month month day-of-week), not {len(fields)}")
    try:
        if not croniter.is_valid(expression):
            raise ValueError("not a valid cron expression")
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError as exc:
        raise ValueError(f"not a valid cron expression ({exc})") from None
    return expression


def check_timezone(name: str) -> str:
    """An IANA time zone name such as "Europe/Berlin" or "UTC"."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r}; give an IANA name such as Europe/Berlin") from None
    return name


def next_run(expression: str, timezone: str, after: datetime) -> datetime:
    """The first tick strictly after `after`, as an aware UTC datetime.

    Ticks are computed on the job's local wall clock, so "0 9 * * *" stays at 09:00 local across
    DST changes. When clocks go back, a job with fixed hours runs once in the repeated hour (as
    classic cron does); wildcard-hour jobs keep running through both passes of that hour.
    """
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    if expression.startswith(descriptors.EVERY):
        # An interval from the previous run (robfig's @every), whatever the wall clock says.
        return (after + descriptors.interval(expression)).astimezone(UTC).replace(microsecond=0)
    expression = descriptors.fields_of(expression) or expression
    zone = ZoneInfo(timezone)
    fixed_hours = not expression.split()[1].startswith("*")
    it = croniter(expression, after.astimezone(zone))
    while True:
        tick: datetime = it.get_next(datetime)
        if fixed_hours and tick.fold == 1 and _is_repeated(tick):
            continue
        return tick.astimezone(UTC)


def _is_repeated(local: datetime) -> bool:
    """True for the second pass of a wall-clock time that happens twice when clocks go back."""
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


class CronFields(Input):
    name: Name
    task_id: int | None = None
    template_id: int | None = None
    expression: _Expression
    timezone: _TimeZone = "UTC"
    payload: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True

    @field_validator("expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        return check_expression(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)


class TaskPayload(Input):
    """What a task job sends: the same content fields as a send call."""

    title: Title = ""
    text: Body = ""
    markdown: Body = ""
    html: Body = ""
    url: LinkUrl = ""

    @model_validator(mode="after")
    def _has_body(self) -> TaskPayload:
        if not (self.text or self.markdown or self.html):
            raise ValueError("give at least one of text, markdown and html")
        return self


class TemplatePayload(Input):
    """What a template job sends: the variables to render the template with."""

    variables: dict[str, Any] = Field(default_factory=dict)

    @field_validator("variables")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 200:
            raise ValueError("at most 200 variables")
        return value


def check_payload(payload: Any, is_task: bool) -> dict[str, Any]:
    """The payload as stored: only the keys the job's mode takes, at most 64 KB of JSON."""
    if not isinstance(payload, dict):
        raise BadInput("payload must be a JSON object", field="payload")
    size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise BadInput(f"payload is {size:,} bytes; the limit is {MAX_PAYLOAD_BYTES:,}", field="payload")
    model: type[TaskPayload | TemplatePayload] = TaskPayload if is_task else TemplatePayload
    unknown = sorted(set(payload) - set(model.model_fields))
    if unknown:
        allowed = ", ".join(model.model_fields)
        mode = "a task" if is_task else "a template"
        raise BadInput(
            f"payload: unknown key {unknown[0]!r}; {mode} job takes {allowed}", field=f"payload.{unknown[0]}"
        )
    return parse(model, payload, prefix="payload").model_dump(exclude_defaults=True)


# ---- reading -------------------------------------------------------------------------------------


async def get_cron_job(principal: Principal, cron_id: int) -> CronJob:
    principal.require_user()
    job = await CronJob.get_or_none(id=cron_id)
    if job is None:
        raise NotFound("no cron job with this id")
    principal.check_owner(job.owner_id, "cron job")
    return job


async def list_cron_jobs(principal: Principal, first: int | None, after: str | None) -> Page[CronJob]:
    return await paginate(CronJob.filter(**principal.owner_filter()), first, after)


# ---- changing ------------------------------------------------------------------------------------


def _current(job: CronJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in CronFields.model_fields}


async def _checked(owner_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole set of job fields for `owner_id`; the result is ready to write."""
    if (fields.get("task_id") is None) == (fields.get("template_id") is None):
        raise BadInput("give exactly one of taskId and templateId", field="taskId")
    data = parse(CronFields, fields).model_dump()
    if data["task_id"] is not None:
        task = await Task.get_or_none(id=data["task_id"])
        if task is None or task.owner_id != owner_id:
            raise BadInput("no task with this id", field="taskId")
    else:
        template = await Template.get_or_none(id=data["template_id"])
        if template is None or template.owner_id != owner_id:
            raise BadInput("no template with this id", field="templateId")
    data["payload"] = check_payload(data["payload"], is_task=data["task_id"] is not None)
    return data


async def create_cron_job(principal: Principal, fields: dict[str, Any]) -> CronJob:
    user = principal.require_user()
    data = await _checked(user.id, fields)
    now = datetime.now(UTC)
    next_run_at = next_run(data["expression"], data["timezone"], now) if data["enabled"] else None
    job = await CronJob.create(owner=user, next_run_at=next_run_at, **data)
    await audit.record(principal, "cron.create", "cron_job", job.id, audit.diff({}, data))
    return job


async def update_cron_job(principal: Principal, cron_id: int, fields: dict[str, Any]) -> CronJob:
    """Change the given fields (None keeps a value). Giving taskId or templateId replaces the target."""
    job = await get_cron_job(principal, cron_id)
    before = _current(job)
    given = {k: v for k, v in fields.items() if v is not None}
    if "task_id" in given or "template_id" in given:
        given.setdefault("task_id", None)
        given.setdefault("template_id", None)
    data = await _checked(job.owner_id, before | given)
    update: dict[str, Any] = dict(data)
    schedule_changed = any(data[k] != before[k] for k in ("expression", "timezone", "enabled"))
    if not data["enabled"]:
        update["next_run_at"] = None
    elif schedule_changed or job.next_run_at is None:
        update["next_run_at"] = next_run(data["expression"], data["timezone"], datetime.now(UTC))
    await CronJob.filter(id=job.id).update(**update)
    await job.refresh_from_db()
    await audit.record(principal, "cron.update", "cron_job", job.id, audit.diff(before, data))
    return job


async def delete_cron_job(principal: Principal, cron_id: int) -> None:
    job = await get_cron_job(principal, cron_id)
    await job.delete()
    await audit.record(principal, "cron.delete", "cron_job", job.id, {"name": [job.name, None]})


# ---- sending -------------------------------------------------------------------------------------


def _send_data(job: CronJob, idempotency_key: str | None) -> dict[str, Any]:
    target = {"task_id": job.task_id} if job.task_id is not None else {"template_id": job.template_id}
    return {**job.payload, **target, "source": "cron", "idempotency_key": idempotency_key}


async def run_now(runtime: Runtime, principal: Principal, cron_id: int) -> SendResult:
    """Send the job's message now, as its owner; the schedule is left as it is, the last run is this."""
    job = await get_cron_job(principal, cron_id)
    owner = await User.get(id=job.owner_id)
    return await _send_and_note(runtime, job, Principal(user=owner, ip=principal.ip), None, datetime.now(UTC))


async def _send_and_note(
    runtime: Runtime, job: CronJob, sender: Principal, key: str | None, at: datetime
) -> SendResult:
    """Send, and keep what happened on the job (its last run): the message, or why it was refused."""
    try:
        result = await accept_send(runtime, sender, _send_data(job, key))
    except PushNestError as exc:
        await _note(job, at, "refused", exc.message[:500], None)
        raise
    await _note(job, at, "sent", "", result.message.id)
    return result


async def _note(job: CronJob, at: datetime, outcome: str, error: str, message_id: int | None) -> None:
    await CronJob.filter(id=job.id).update(
        last_run_at=at, last_outcome=outcome, last_error=error, last_message_id=message_id
    )


async def fire_due(runtime: Runtime, now: datetime | None = None, limit: int = 100) -> int:
    """Send every enabled job whose tick has come, each tick once; returns how many sends were accepted.

    Safe to call from any number of workers at once. A job whose send is refused (its task was
    disabled, say) is logged and keeps its schedule; one bad job never stops the others.
    """
    now = now or datetime.now(UTC)
    due = await CronJob.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at", "id").limit(limit)
    sent = 0
    for job in due:
        try:
            sent += await _fire(runtime, job, now)
        except Exception:
            log.exception("cron job %s (%r): firing failed", job.id, job.name)
    return sent


async def _fire(runtime: Runtime, job: CronJob, now: datetime) -> int:
    tick = job.next_run_at
    assert tick is not None
    try:
        following: datetime | None = next_run(job.expression, job.timezone, now)
    except (CroniterError, ValueError, KeyError) as exc:
        log.error(
            "cron job %s (%r): cannot schedule %r in %s (%s); it stops",
            job.id,
            job.name,
            job.expression,
            job.timezone,
            exc,
        )
        following = None
    claimed = await CronJob.filter(id=job.id, next_run_at=tick).update(next_run_at=following, last_run_at=now)
    if claimed != 1:
        # Another worker took this tick, or the job was changed meanwhile.
        log.debug("cron job %s: tick %s already taken", job.id, tick.isoformat())
        return 0
    if following is None:
        return 0
    owner = await User.get_or_none(id=job.owner_id)
    if owner is None or not owner.is_active:
        log.warning("cron job %s (%r): owner %s is not active; not sent", job.id, job.name, job.owner_id)
        await _note(job, now, "refused", "the job's owner is not active", None)
        return 0
    key = f"cron:{job.id}:{int(tick.timestamp())}"
    try:
        result = await _send_and_note(runtime, job, Principal(user=owner, ip="cron"), key, now)
    except PushNestError as exc:
        log.warning("cron job %s (%r): send refused: %s", job.id, job.name, exc.message)
        return 0
    log.info(
        "cron job %s (%r): tick %s sent as message %s", job.id, job.name, tick.isoformat(), result.message.id
    )
    return 1
