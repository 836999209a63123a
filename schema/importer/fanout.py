"""Message Nest tasks and templates (with their instances) → PushNest tasks, templates and bindings.

Old ids are kept in `legacy_id`, so the REST compat endpoints find them by id or hex token. A
re-run finds rows by `legacy_id`; bindings have no legacy id, so a target's bindings are rebuilt
only when the mapped list differs from what is stored.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise.transactions import in_transaction

from schema.channels.registry import get_channel_type
from schema.importer.context import ImportRun, ordered, reason, unique_name
from schema.importer.message_nest_map import MappingError, binding_format, binding_options, parse_json_object
from schema.importer.source import Row, flag, text
from schema.models import Binding, Task, Template
from schema.services.tasks import TaskFields
from schema.services.templates import TemplateFields
from schema.services.validation import parse

_COMPARED = ("channel_id", "format", "options", "accepts_receivers", "enabled")


async def import_tasks(run: ImportRun) -> None:
    rows = ordered(run.data.of("tasks"))
    bar = run.progress("tasks", len(rows))
    async with in_transaction():
        for row in rows:
            legacy = text(row, "id")
            try:
                async with in_transaction():
                    task = await _upsert(run, Task, row, {})
                    run.tasks[legacy] = task
                    await _sync_bindings(run, task, "task_id", legacy)
            except Exception as exc:
                run.report.failed("tasks", f"task {legacy} ({text(row, 'name')})", reason(exc))
            bar.advance()
    bar.finish()


async def import_templates(run: ImportRun) -> None:
    rows = ordered(run.data.of("templates"))
    bar = run.progress("templates", len(rows))
    async with in_transaction():
        for row in rows:
            legacy = text(row, "id")
            try:
                async with in_transaction():
                    template = await _upsert(run, Template, row, _template_fields(row))
                    run.templates[legacy] = template
                    await _sync_bindings(run, template, "template_id", legacy)
            except Exception as exc:
                run.report.failed("templates", f"template {legacy} ({text(row, 'name')})", reason(exc))
            bar.advance()
    bar.finish()
    if rows:
        run.report.note(
            "templates: Message Nest took the title from each v2 call; a PushNest template owns its title, "
            "set to the template's name (edit it to use {{placeholders}})"
        )
        run.report.note(
            "templates: PushNest refuses a send that leaves a placeholder without value or default; "
            "Message Nest sent the literal {{key}}"
        )


def _template_fields(row: Row) -> dict[str, Any]:
    raw = row.get("placeholders")
    try:
        declared = json.loads(raw) if isinstance(raw, str) and raw.strip() else []
    except ValueError:
        raise MappingError("placeholders is not valid JSON") from None
    if not isinstance(declared, list):
        raise MappingError("placeholders is not a JSON array")
    placeholders = [
        {
            "key": str(p.get("key", "")).strip(),
            "label": str(p.get("label") or ""),
            "default": "" if p.get("default") is None else str(p.get("default")),
        }
        for p in declared
        if isinstance(p, dict)
    ]
    return {
        "description": text(row, "description")[:2000],
        "title": text(row, "name")[:500],
        "text_body": str(row.get("text_template") or ""),
        "markdown_body": str(row.get("markdown_template") or ""),
        "html_body": str(row.get("html_template") or ""),
        "placeholders": placeholders,
        "mention_mobiles": [v.strip() for v in text(row, "at_mobiles").split(",") if v.strip()],
        "mention_user_ids": [v.strip() for v in text(row, "at_user_ids").split(",") if v.strip()],
        "mention_all": flag(row, "is_at_all", default=False),
        "enabled": text(row, "status").lower() in ("", "enabled"),
    }


async def _upsert(run: ImportRun, model: type[Task] | type[Template], row: Row, extra: dict[str, Any]) -> Any:
    legacy, kind = text(row, "id"), "tasks" if model is Task else "templates"
    existing = await model.get_or_none(legacy_id=legacy)
    if existing is not None and existing.owner_id != run.owner.id:
        raise MappingError(f"already imported for another user (PushNest id {existing.id})")
    others = model.filter(owner_id=run.owner.id, name=text(row, "name")[:100])
    if existing is not None:
        others = others.exclude(id=existing.id)
    name = unique_name(text(row, "name"), legacy, await others.exists())
    if name != text(row, "name"):
        run.report.note(f"{kind[:-1]} {legacy}: named {name!r} in PushNest")
    fields_model = TaskFields if model is Task else TemplateFields
    data = parse(fields_model, {"name": name, **extra}).model_dump()
    if existing is None:
        row_obj = await model.create(owner=run.owner, legacy_id=legacy, **data)
        run.report.created(kind)
        return row_obj
    if all(getattr(existing, k) == v for k, v in data.items()):
        run.report.skipped(kind)
        return existing
    await model.filter(id=existing.id).update(**data)
    await existing.refresh_from_db()
    run.report.updated(kind)
    return existing


async def _sync_bindings(run: ImportRun, target: Task | Template, parent: str, legacy: str) -> None:
    wanted = _wanted_bindings(run, parent, legacy)
    current = await Binding.filter(**{parent: target.id}).order_by("position", "id")
    same = len(current) == len(wanted) and all(
        all(getattr(b, k) == w[k] for k in _COMPARED) for b, w in zip(current, wanted, strict=True)
    )
    if same:
        run.report.counts["bindings"].skipped += len(wanted)
        return
    await Binding.filter(**{parent: target.id}).delete()
    link = {"task": target} if isinstance(target, Task) else {"template": target}
    for position, item in enumerate(wanted):
        await Binding.create(**link, position=position, **item)
    counts = run.report.counts["bindings"]
    if current:
        counts.updated += len(wanted)
    else:
        counts.created += len(wanted)


def _wanted_bindings(run: ImportRun, parent: str, legacy: str) -> list[dict[str, Any]]:
    wanted: list[dict[str, Any]] = []
    for row in ordered([r for r in run.data.of("instances") if text(r, parent) == legacy]):
        what = f"instance {text(row, 'id')} of {parent[:-3]} {legacy}"
        way_id = text(row, "way_id")
        channel = run.channels.get(way_id)
        if channel is None:
            known = any(text(w, "id") == way_id for w in run.data.of("ways"))
            run.report.failed(
                "bindings", what, f"way {way_id} {'was not imported' if known else 'does not exist'}"
            )
            continue
        try:
            wanted.append(_binding(run, row, channel.type, way_id, what))
        except Exception as exc:
            run.report.failed("bindings", what, reason(exc))
    return wanted


def _binding(run: ImportRun, row: Row, type_key: str, way_id: str, what: str) -> dict[str, Any]:
    kind = get_channel_type(type_key)
    mn_type = run.way_types[way_id]
    config = parse_json_object(row.get("config"), "config")
    channel = run.channels[way_id]
    mapped, dynamic = binding_options(mn_type, config, channel.config, run.inbox_user.username)
    for dropped in mapped.dropped:
        run.report.note(f"{what}: dropped {dropped}")
    options = kind.binding_model.model_validate(mapped.values).model_dump(mode="json")
    fmt, kept = binding_format(kind, text(row, "content_type"))
    if not kept:
        run.report.note(f"{what}: content type {text(row, 'content_type')!r} → {fmt} ({kind.label})")
    return {
        "channel_id": channel.id,
        "format": fmt,
        "options": options,
        "accepts_receivers": dynamic and kind.supports_receivers,
        "enabled": flag(row, "enable"),
    }
