"""Accepted sends, their per-binding deliveries, every attempt, and in-site inbox items."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from schema.models.channels import Channel
    from schema.models.security import ApiKey
    from schema.models.tasks import Binding, Task, Template
    from schema.models.users import User


class MessageStatus(StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    RATE_LIMITED = "rate_limited"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="messages", on_delete=fields.RESTRICT
    )
    owner_id: int
    task: fields.ForeignKeyNullableRelation[Task] = fields.ForeignKeyField(
        "models.Task", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    task_id: int | None
    template: fields.ForeignKeyNullableRelation[Template] = fields.ForeignKeyField(
        "models.Template", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    template_id: int | None
    api_key: fields.ForeignKeyNullableRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    api_key_id: int | None
    # The task's or template's name at send time, and where the call came from (graphql, rest-v1, cron…).
    source_name = fields.CharField(max_length=100, default="")
    source = fields.CharField(max_length=16, default="graphql")
    title = fields.CharField(max_length=500, default="")
    text = fields.TextField(default="")
    markdown = fields.TextField(default="")
    html = fields.TextField(default="")
    url = fields.CharField(max_length=2048, default="")
    variables: dict[str, Any] = fields.JSONField(default=dict)
    recipients: list[Any] = fields.JSONField(default=list)
    mentions: dict[str, Any] = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.QUEUED)
    caller_ip = fields.CharField(max_length=64, default="")
    trace_id = fields.CharField(max_length=32, default="")
    # The accept span's W3C traceparent while OpenTelemetry is on: workers continue the trace from
    # it, whatever woke them (schema/telemetry.py).
    traceparent = fields.CharField(max_length=64, default="", db_default="")
    send_at = fields.DatetimeField(null=True)
    # The public preview link's secret when an inbox binding opted in (schema/services/public_preview.py):
    # made at accept time, so the compat answer can give `hostMessageUrl` before the item exists.
    preview_key = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    # Set on history brought in by an importer ("mn-log-<id>"): found again on a re-run, and never
    # pruned by retention, which the sender never agreed to (schema/services/retention.py).
    legacy_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "messages"
        unique_together = (("owner", "idempotency_key"),)
        indexes = (
            ("status", "created_at"),
            ("task_id", "created_at"),
            ("template_id", "created_at"),
            ("created_at",),
        )


class Delivery(Model):
    id = fields.BigIntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="deliveries", on_delete=fields.CASCADE
    )
    message_id: int
    binding: fields.ForeignKeyNullableRelation[Binding] = fields.ForeignKeyField(
        "models.Binding", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    binding_id: int | None
    channel: fields.ForeignKeyNullableRelation[Channel] = fields.ForeignKeyField(
        "models.Channel", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    channel_id: int | None
    channel_type = fields.CharField(max_length=40)
    format = fields.CharField(max_length=16, default="text")
    # One receiver, or a chunk of them for group sends (JSON list).
    receivers: list[Any] = fields.JSONField(default=list)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.QUEUED)
    attempts = fields.IntField(default=0)
    # `attempts` when the retry budget last started: a "resend failed" gives a fresh budget while
    # attempt numbers keep counting up.
    budget_start = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_until = fields.DatetimeField(null=True)
    # A random token per claim: the claimer reads back only the rows its own update took.
    claim_token = fields.CharField(max_length=32, default="", db_index=True)
    # The worker holding the claim while it has a live heartbeat ("" = only the lease protects it):
    # the sweeper releases rows of a worker whose heartbeat is gone without waiting for the lease.
    claimed_by = fields.CharField(max_length=64, default="")
    error_class = fields.CharField(max_length=32, default="")
    last_error = fields.TextField(default="")
    latency_ms = fields.IntField(null=True)
    version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "deliveries"
        indexes = (
            ("status", "next_attempt_at"),
            ("channel_id", "created_at"),
            ("created_at",),
            # The claim's index: only rows waiting to be sent have a next_attempt_at (a claim clears
            # it), so a claim reads them in due order and stops at its LIMIT instead of sorting
            # every due row of every waiting status.
            Index(fields=("next_attempt_at",), name="idx_deliveries_due"),
        )


class DeliveryAttempt(Model):
    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[Delivery] = fields.ForeignKeyField(
        "models.Delivery", related_name="attempt_rows", on_delete=fields.CASCADE
    )
    delivery_id: int
    number = fields.IntField()
    outcome = fields.CharField(max_length=16)
    error_class = fields.CharField(max_length=32, default="")
    error = fields.TextField(default="")
    vendor_response = fields.TextField(default="")
    latency_ms = fields.IntField(null=True)
    trace_id = fields.CharField(max_length=32, default="")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "delivery_attempts"
        unique_together = (("delivery", "number"),)


class InboxItem(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="inbox_items", on_delete=fields.CASCADE
    )
    user_id: int
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="inbox_items", null=True, on_delete=fields.SET_NULL
    )
    message_id: int | None
    title = fields.CharField(max_length=500, default="")
    body = fields.TextField(default="")
    format = fields.CharField(max_length=16, default="text")
    url = fields.CharField(max_length=2048, default="")
    # Who sent it: the owner of the task, template or channel, and the API key's name if one was
    # used; kept as text, like the audit log, so it outlives them. Empty: not recorded (imported).
    sender_name = fields.CharField(max_length=64, default="", db_default="")
    sender_key_name = fields.CharField(max_length=100, default="", db_default="")
    read_at = fields.DatetimeField(null=True)
    # The message's public preview key while the link is live; cleared on every copy when revoked.
    preview_key = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set on items brought in by an importer (a hosted message's key): found again on a re-run, and
    # kept by the inbox retention the owner never opted into.
    legacy_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "inbox_items"
        indexes = (("user_id", "read_at", "id"), ("user_id", "id"), ("created_at",))
