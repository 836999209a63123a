"""Input checking shared by the services: pydantic models in, `BadInput` naming the field out."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError
from tortoise.models import Model

from schema.errors import BadInput

M = TypeVar("M", bound=BaseModel)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
Title = Annotated[str, StringConstraints(max_length=500)]
Body = Annotated[str, StringConstraints(max_length=65_536)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _http_link(value: str) -> str:
    if value and not value.lower().startswith(("http://", "https://")):
        raise PydanticCustomError("http_url", "must be an http(s) URL")
    return value


# A message's link: empty, or an http(s) URL (other schemes would be clickable in every channel).
LinkUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2048), AfterValidator(_http_link)
]


class Input(BaseModel):
    """Base for service inputs: unknown fields refused, strings kept as given unless a type trims."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def filter_text(value: str | None, field: str, max_length: int) -> str | None:
    """A text a list is filtered by, refused (BAD_INPUT) when longer than `max_length`.

    One rule for every list filter: a value longer than the column it is compared with would
    make the ORM raise (a 500) or the database scan for nothing.
    """
    if value is not None and len(value) > max_length:
        raise BadInput(f"{field} is at most {max_length} characters", field=field)
    return value


def column_filter(model: type[Model], column: str, value: str | None, field: str) -> str | None:
    """`filter_text` with the limit of the model's own column."""
    max_length = model._meta.fields_map[column].max_length  # type: ignore[attr-defined]
    return filter_text(value, field, int(max_length))


def parse(model: type[M], data: dict[str, Any], prefix: str = "") -> M:
    """Validate `data` into `model`; the first problem becomes a `BadInput` naming its field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise bad_input(exc, prefix) from None


def bad_input(exc: ValidationError, prefix: str = "") -> BadInput:
    """The first problem, named by its field; pydantic's error type is its `reason` (the rule a
    client can word itself: `string_too_long` with `max_length`, …), except for a plain ValueError,
    whose words only its message has. Rules of our own raise `PydanticCustomError` with a type."""
    error = exc.errors()[0]
    path = ".".join(camel(str(part)) for part in error["loc"])
    field = f"{prefix}.{path}" if prefix and path else (prefix or path or None)
    message = str(error["msg"]).removeprefix("Value error, ")
    reason = None if error["type"] == "value_error" else error["type"]
    args = {k: v for k, v in error.get("ctx", {}).items() if isinstance(v, str | int) and reason}
    return BadInput(f"{field}: {message}" if field else message, field=field, reason=reason, args=args)


def camel(name: str) -> str:
    """A Python field name as the API spells it (`base_url` → `baseUrl`)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
