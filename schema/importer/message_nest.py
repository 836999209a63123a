"""Import a Message Nest database into PushNest: ways, tasks, templates, cron and hosted messages,
send logs, statistics, login log, site settings and the admin account.

    report = await import_message_nest("mn.db", secret_box, owner="admin", inbox_user="admin")

Every row is owned by `owner`; hosted messages land in `inbox_user`'s inbox, and MessageNest
(in-site) ways deliver there too. Each kind is written in one transaction, each row in a
savepoint, so a row that fails is reported and the rest goes on. Running it again finds earlier
rows (channels by owner + name, tasks/templates/cron jobs by `legacy_id`, inbox items by title,
body and time) and updates or skips them; it never duplicates. `dry_run` rolls everything back.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, TextIO

from tortoise.transactions import in_transaction

from schema.channels.registry import get_channel_type
from schema.channels.sealing import open_secrets, seal_secrets, split_model
from schema.crypto import SecretBox
from schema.importer.context import (
    MN_TIMEZONE,
    ImportRun,
    ordered,
    reason,
    unique_name,
)
from schema.importer.fanout import import_tasks, import_templates
from schema.importer.history import import_logins, import_send_logs, import_statistics, when
from schema.importer.message_nest_map import TYPE_MAP, MappingError, channel_config, parse_json_object
from schema.importer.report import ImportReport
from schema.importer.site import import_accounts, import_settings
from schema.importer.source import ImportFailed, flag, read_source, text
from schema.models import Channel, CronJob, InboxItem, User
from schema.services.channels import refuse_private_targets
from schema.services.cron_jobs import check_expression, check_payload, next_run
from schema.services.validation import Input, Name, parse

__all__ = ["import_message_nest"]

_FORMATS = {"text", "markdown", "html"}


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the whole import back."""


async def import_message_nest(
    source: str,
    box: SecretBox,
    owner: str = "admin",
    inbox_user: str = "admin",
    dry_run: bool = False,
    table_prefix: str = "message_",
    progress: TextIO | None = None,
    allow_private_targets: bool = False,
) -> ImportReport:
    """Run the import; ImportFailed (SourceError…) if it cannot start. Tortoise must be initialised."""
    data = await read_source(source, table_prefix)
    users = {u.username: u for u in await User.filter(username__in=[owner, inbox_user])}
    for name in (owner, inbox_user):
        if name not in users:
            raise ImportFailed(f"no PushNest user named {name!r}")
    report = ImportReport(source=_shown(source), dry_run=dry_run)
    run = ImportRun(data, box, users[owner], users[inbox_user], report, progress, allow_private_targets)
    for table in data.missing_tables:
        report.note(f"table {table} does not exist in the source: nothing imported from it")
    try:
        async with in_transaction():
            await _import_channels(run)
            await import_tasks(run)
            await import_templates(run)
            await _import_cron(run)
            await _import_hosted(run)
            await import_send_logs(run)
            await import_statistics(run)
            await import_logins(run)
            await import_settings(run)
            await import_accounts(run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _shown(source: str) -> str:
    """The source without a password."""
    if "://" in source and "@" in source:
        scheme, _, rest = source.partition("://")
        credentials, _, host = rest.rpartition("@")
        return f"{scheme}://{credentials.partition(':')[0]}:***@{host}"
    return source


# ---- ways → channels -----------------------------------------------------------------------------


async def _import_channels(run: ImportRun) -> None:
    rows = ordered(run.data.of("ways"))
    bar = run.progress("channels", len(rows))
    used: set[str] = set()
    async with in_transaction():
        for row in rows:
            way_id, name = text(row, "id"), text(row, "name")
            try:
                async with in_transaction():
                    channel = await _channel(run, row, used)
                run.channels[way_id] = channel
                run.way_types[way_id] = text(row, "type")
            except Exception as exc:
                run.report.failed("channels", f"way {way_id} ({name}, {text(row, 'type')})", reason(exc))
            bar.advance()
    bar.finish()


async def _channel(run: ImportRun, row: dict[str, Any], used: set[str]) -> Channel:
    way_id, mn_type = text(row, "id"), text(row, "type")
    if mn_type not in TYPE_MAP:
        raise MappingError(f"way type {mn_type!r} has no PushNest channel type")
    kind = get_channel_type(TYPE_MAP[mn_type])
    auth = parse_json_object(row.get("auth"), "auth")
    configs = [
        parse_json_object(i.get("config"), "config")
        for i in run.data.of("instances")
        if text(i, "way_id") == way_id and isinstance(i.get("config"), str | dict)
    ]
    mapped = channel_config(mn_type, auth, configs)
    model = kind.config_model.model_validate(mapped.values)
    # The same save-time target check as createChannel (BAD_INPUT naming the field).
    await refuse_private_targets(model, run.allow_private_targets)
    public, secrets = split_model(kind, model)
    for dropped in mapped.dropped:
        run.report.note(f"way {way_id}: dropped {dropped}")
    name = unique_name(text(row, "name") or f"{mn_type} {way_id}", way_id, text(row, "name")[:100] in used)
    used.add(name)
    existing = await Channel.get_or_none(owner_id=run.owner.id, name=name)
    if existing is None:
        channel = await Channel.create(
            owner=run.owner,
            name=name,
            type=kind.key,
            config=public,
            secrets_sealed=seal_secrets(run.box, secrets),
        )
        run.report.created("channels")
        return channel
    if existing.type != kind.key:
        raise MappingError(f"a PushNest channel named {name!r} of type {existing.type} already exists")
    if existing.config == public and open_secrets(run.box, existing.secrets_sealed) == secrets:
        run.report.skipped("channels")
        return existing
    existing.config, existing.secrets_sealed = public, seal_secrets(run.box, secrets)
    await existing.save(update_fields=["config", "secrets_sealed", "updated_at"])
    run.report.updated("channels")
    return existing


# ---- cron messages → cron jobs --------------------------------------------------------------------


async def _import_cron(run: ImportRun) -> None:
    rows = ordered(run.data.of("cron"))
    bar = run.progress("cron jobs", len(rows))
    async with in_transaction():
        for row in rows:
            legacy = text(row, "id")
            try:
                async with in_transaction():
                    await _cron_job(run, row)
            except Exception as exc:
                run.report.failed("cron_jobs", f"cron message {legacy} ({text(row, 'name')})", reason(exc))
            bar.advance()
    bar.finish()
    if rows:
        run.report.note(
            f"cron jobs: expressions are read in {MN_TIMEZONE} (Message Nest's Docker default TZ); "
            "change a job's time zone if your Message Nest ran with another TZ"
        )


async def _cron_job(run: ImportRun, row: dict[str, Any]) -> None:
    legacy, task_ref = text(row, "id"), text(row, "task_id")
    task = run.tasks.get(task_ref)
    if task is None:
        raise MappingError(f"task {task_ref or '(none)'} was not imported")
    expression = check_expression(text(row, "cron"))
    payload = check_payload(
        {"title": text(row, "title"), "text": str(row.get("content") or ""), "url": text(row, "url")},
        is_task=True,
    )
    data: dict[str, Any] = {
        "name": parse(_CronName, {"name": (text(row, "name") or f"cron {legacy}")[:100]}).name,
        "task_id": task.id,
        "template_id": None,
        "expression": expression,
        "timezone": MN_TIMEZONE,
        "payload": payload,
        "enabled": flag(row, "enable"),
    }
    existing = await CronJob.get_or_none(legacy_id=legacy)
    if existing is not None and existing.owner_id != run.owner.id:
        raise MappingError(f"already imported for another user (PushNest id {existing.id})")
    now = datetime.now(UTC)
    if existing is None:
        next_at = next_run(expression, MN_TIMEZONE, now) if data["enabled"] else None
        await CronJob.create(owner=run.owner, legacy_id=legacy, next_run_at=next_at, **data)
        run.report.created("cron_jobs")
    elif all(getattr(existing, k) == v for k, v in data.items()):
        run.report.skipped("cron_jobs")
    else:
        schedule_same = all(getattr(existing, k) == data[k] for k in ("expression", "timezone", "enabled"))
        if not schedule_same:
            data["next_run_at"] = next_run(expression, MN_TIMEZONE, now) if data["enabled"] else None
        await CronJob.filter(id=existing.id).update(**data)
        run.report.updated("cron_jobs")


class _CronName(Input):
    name: Name


# ---- hosted messages → inbox items ----------------------------------------------------------------


def _inbox_key(title: str, body: str, fmt: str, at: datetime | None) -> tuple[str, str, str, int]:
    """How items imported before they carried a legacy id are recognised."""
    digest = hashlib.sha256(body.encode()).hexdigest()
    return title, digest, fmt, int(at.timestamp()) if at is not None else 0


async def _import_hosted(run: ImportRun) -> None:
    rows = ordered(run.data.of("hosted"))
    if not rows:
        return
    bar = run.progress("inbox items", len(rows))
    stored = await InboxItem.filter(user_id=run.inbox_user.id, message_id__isnull=True).values_list(
        "id", "legacy_id", "title", "body", "format", "created_at"
    )
    by_legacy = {legacy for _, legacy, *_ in stored if legacy}
    unlabelled = {_inbox_key(t, b, f, c): i for i, legacy, t, b, f, c in stored if not legacy}
    truncated = 0
    async with in_transaction():
        for row in rows:
            bar.advance()
            legacy = f"mn-hosted-{text(row, 'unique_key') or text(row, 'id')}"
            if legacy in by_legacy:
                run.report.skipped("inbox_items")
                continue
            by_legacy.add(legacy)
            title, body = text(row, "title"), str(row.get("content") or "")
            fmt = text(row, "type").lower() if text(row, "type").lower() in _FORMATS else "text"
            created = when(run, row, f"hosted message {text(row, 'id')}")
            if len(title) > 500:
                title, truncated = title[:500], truncated + 1
            earlier = unlabelled.pop(_inbox_key(title, body, fmt, created), None)
            if earlier is not None:
                # Imported by an older PushNest without a legacy id: labelled now, so it is kept.
                await InboxItem.filter(id=earlier).update(legacy_id=legacy)
                run.report.updated("inbox_items")
                continue
            await InboxItem.create(
                user=run.inbox_user, title=title, body=body, format=fmt, created_at=created, legacy_id=legacy
            )
            run.report.created("inbox_items")
    bar.finish()
    run.report.note(
        f"hosted messages: stored in {run.inbox_user.username}'s inbox and kept whatever the inbox "
        "retention says; their public preview links (/#/preview/<key>) do not carry over"
    )
    if truncated:
        run.report.note(f"hosted messages: {truncated} title(s) longer than 500 characters were shortened")
