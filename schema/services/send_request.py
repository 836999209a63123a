"""A send request as callers give it, checked before anything is written."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from schema.services.validation import Body, Input, LinkUrl, Title

MAX_RECIPIENTS = 10_000
MAX_VARIABLES = 200
_Recipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
_MentionValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SendRequest(Input):
    """Task mode: content fields. Template mode: `variables`. Exactly one of task_id / template_id."""

    task_id: int | None = None
    template_id: int | None = None
    title: Title = ""
    text: Body = ""
    markdown: Body = ""
    html: Body = ""
    url: LinkUrl = ""
    variables: dict[str, Any] = Field(default_factory=dict)
    recipients: list[_Recipient] = Field(default_factory=list, max_length=MAX_RECIPIENTS)
    mention_mobiles: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_user_ids: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_all: bool = False
    idempotency_key: _Key | None = None
    # A moment without a UTC offset would be read in some zone nobody chose (GraphQL refuses it
    # already, in its DateTime scalar; this holds for every other caller too).
    send_at: AwareDatetime | None = None
    # Where the call came from, for the send log: "graphql", "rest-v1", "rest-v2", "rest-get", "cron".
    source: str = "graphql"
    # Message Nest's rules, for its compat endpoints only (GraphQL keeps the strict ones): a template
    # send takes the call's title as it is; a placeholder left without a value stays as written;
    # recipients for a target with no binding that takes them go to the fixed receivers, with a warning.
    message_nest_rules: bool = False

    @field_validator("variables")
    @classmethod
    def _small_variables(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_VARIABLES:
            raise PydanticCustomError("too_many_variables", "at most {max} variables", {"max": MAX_VARIABLES})
        return value

    @property
    def is_template(self) -> bool:
        return self.template_id is not None
