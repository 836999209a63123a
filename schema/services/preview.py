"""What each bound channel would get from a template, for the editor's live preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schema.channels.base import Format, LintNote, LintSubject
from schema.channels.registry import get_channel_type
from schema.domain.bodies import Content, body_for, utf8_len
from schema.domain.render import missing, render, resolve_variables
from schema.services.bindings import bindings_of_templates
from schema.services.principal import Principal
from schema.services.templates import TemplateFields, get_template
from schema.services.validation import parse

_DRAFT_FIELDS = ("title", "text_body", "markdown_body", "html_body", "placeholders")
_SOURCE = {Format.TEXT: "text_body", Format.MARKDOWN: "markdown_body", Format.HTML: "html_body"}


Note = LintNote


def note(code: str, message: str, **args: str | int) -> Note:
    return Note(code, message, args)


@dataclass(frozen=True)
class ChannelPreview:
    binding_id: int
    channel_id: int
    channel_name: str
    channel_type: str
    format: Format
    body: str
    size_bytes: int
    limit_bytes: int | None
    warnings: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class TemplatePreview:
    title: str
    missing: list[str]
    channels: list[ChannelPreview]


async def preview_template(
    principal: Principal, template_id: int, variables: dict[str, Any], draft: dict[str, Any]
) -> TemplatePreview:
    """Render the template (with unsaved `draft` edits) for every binding; missing values are listed."""
    principal.require_user()
    template = await get_template(principal, template_id)
    saved = {name: getattr(template, name) for name in TemplateFields.model_fields}
    fields = parse(
        TemplateFields, saved | {k: v for k, v in draft.items() if k in _DRAFT_FIELDS and v is not None}
    )
    values = resolve_variables([p.model_dump() for p in fields.placeholders], variables)
    texts = [fields.title, fields.text_body, fields.markdown_body, fields.html_body]
    content = Content(
        title=render(fields.title, values),
        text=render(fields.text_body, values),
        markdown=render(fields.markdown_body, values, escape_markup=True),
        html=render(fields.html_body, values, escape_html=True),
    )
    bound = (await bindings_of_templates([template.id])).get(template.id, [])
    previews = [_preview(b.id, b.channel, Format(b.format), content, fields) for b in bound if b.enabled]
    return TemplatePreview(title=content.title, missing=missing(texts, values), channels=previews)


def _preview(
    binding_id: int, channel: Any, fmt: Format, content: Content, fields: TemplateFields
) -> ChannelPreview:
    kind = get_channel_type(channel.type)
    body = body_for(fmt, content)
    size = utf8_len(body)
    warnings = []
    if not getattr(fields, _SOURCE[fmt]).strip():
        warnings.append(
            note(
                "body_converted",
                f"the template has no {fmt.value} body: {kind.label} gets one converted from another body",
                format=fmt.value,
                channelType=kind.key,
            )
        )
    if kind.max_body_bytes is not None and size > kind.max_body_bytes:
        warnings.append(
            note(
                "body_too_large",
                f"{size:,} bytes is over {kind.label}'s limit of {kind.max_body_bytes:,} bytes",
                size=size,
                limit=kind.max_body_bytes,
                channelType=kind.key,
            )
        )
    if not channel.enabled:
        warnings.append(note("channel_disabled", "the channel is disabled: nothing will be sent to it"))
    return ChannelPreview(
        binding_id=binding_id,
        channel_id=channel.id,
        channel_name=channel.name,
        channel_type=channel.type,
        format=fmt,
        body=body,
        size_bytes=size,
        limit_bytes=kind.max_body_bytes,
        warnings=warnings,
    )


@dataclass(frozen=True)
class LintWarning:
    channel_name: str
    note: Note


def lint(template: Any, bindings: list[Any]) -> list[LintWarning]:
    """Save-time checks of a template against each enabled binding (rendered with the defaults)."""
    fields = TemplateFields.model_validate(
        {name: getattr(template, name) for name in TemplateFields.model_fields}
    )
    values = resolve_variables([p.model_dump() for p in fields.placeholders], {})
    content = Content(
        title=render(fields.title, values),
        text=render(fields.text_body, values),
        markdown=render(fields.markdown_body, values, escape_markup=True),
        html=render(fields.html_body, values, escape_html=True),
    )
    warnings: list[LintWarning] = []
    for binding in bindings:
        if not binding.enabled:
            continue
        preview = _preview(binding.id, binding.channel, Format(binding.format), content, fields)
        warnings += [LintWarning(binding.channel.name, n) for n in preview.warnings]
        warnings += [LintWarning(binding.channel.name, n) for n in _vendor_rules(binding, fields)]
    return warnings


def _vendor_rules(binding: Any, fields: TemplateFields) -> list[Note]:
    """The bound channel type's own rules (declared on the type: schema/channels/base.py `lint`)."""
    kind = get_channel_type(binding.channel.type)
    if kind is None or kind.lint is None:
        return []
    by_mobile = bool(fields.mention_mobiles or binding.mention_mobiles)
    anyone = by_mobile or bool(
        fields.mention_user_ids or fields.mention_all or binding.mention_user_ids or binding.mention_all
    )
    subject = LintSubject(
        format=Format(binding.format),
        options=dict(binding.options or {}),
        title=fields.title,
        text_body=fields.text_body,
        mentions_mobiles=by_mobile,
        mentions_anyone=anyone,
    )
    return kind.lint(subject)
