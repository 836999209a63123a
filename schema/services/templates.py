"""Templates: stored bodies with `{{placeholders}}`, their mentions, and their own bindings."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from schema.errors import NotFound
from schema.models import Template
from schema.models.security import KeyScope
from schema.services.fanout import create_fanout, delete_fanout, update_fanout
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.tasks import check_readable
from schema.services.validation import Body, Description, Input, Name, Title, parse

_Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")]
_Short = Annotated[str, StringConstraints(max_length=200)]
_MentionValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Placeholder(Input):
    key: _Key
    label: _Short = ""
    default: Annotated[str, StringConstraints(max_length=2000)] = ""


class TemplateFields(Input):
    name: Name
    description: Description = ""
    title: Title = ""
    text_body: Body = ""
    markdown_body: Body = ""
    html_body: Body = ""
    placeholders: list[Placeholder] = Field(default_factory=list, max_length=100)
    mention_mobiles: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_user_ids: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_all: bool = False
    enabled: bool = True
    # Admins only (update_fanout checks): see Template.accept_legacy_token.
    accept_legacy_token: bool = False

    @field_validator("placeholders")
    @classmethod
    def _unique_keys(cls, value: list[Placeholder]) -> list[Placeholder]:
        keys = [p.key for p in value]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate_placeholders",
                "placeholder keys must be unique: {keys}",
                {"keys": ", ".join(duplicates)},
            )
        return value


_FIELDS = tuple(TemplateFields.model_fields)


def _current(template: Template) -> dict[str, Any]:
    return {name: getattr(template, name) for name in _FIELDS}


async def get_template(principal: Principal, template_id: int) -> Template:
    template = await Template.get_or_none(id=template_id)
    if template is None:
        raise NotFound("no template with this id")
    check_readable(principal, template.owner_id, KeyScope.TEMPLATE, template.id, "template")
    return template


async def list_templates(
    principal: Principal, first: int | None, after: str | None, count: bool = True
) -> Page[Template]:
    return await paginate(Template.filter(**principal.owner_filter()), first, after, count)


async def create_template(
    principal: Principal, fields: dict[str, Any], bindings: list[dict[str, Any]]
) -> Template:
    user = principal.require_user()
    data = parse(TemplateFields, fields).model_dump()
    return await create_fanout(principal, Template, user, data, bindings)


async def update_template(
    principal: Principal, template_id: int, fields: dict[str, Any], bindings: list[dict[str, Any]] | None
) -> Template:
    """Change the given fields; `bindings`, when given, replaces the whole list."""
    principal.require_user()
    template = await get_template(principal, template_id)
    before = _current(template)
    data = parse(TemplateFields, before | {k: v for k, v in fields.items() if v is not None}).model_dump()
    return await update_fanout(principal, template, before, data, bindings)


async def delete_template(principal: Principal, template_id: int) -> None:
    principal.require_user()
    await delete_fanout(principal, await get_template(principal, template_id))
