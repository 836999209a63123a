"""Accepted sends, their per-binding deliveries, every attempt, and in-site inbox items."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


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
    owner = fields.ForeignKeyField("models.User", related_name="messages", on_delete=fields.RESTRICT)
    task = fields.ForeignKeyField("models.Task", related_name="messages", null=True, on_delete=fields.SET_NULL)
    template = fields.ForeignKeyField(
        "models.Template", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    api_key = fields.ForeignKeyField(
        "models.ApiKey", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    source_name = fields.CharField(max_length=100, default="")
    title = fields.CharField(max_length=500, default="")
    text = fields.TextField(default="")
    markdown = fields.TextField(default="")
    html = fields.TextField(default="")
    url = fields.CharField(max_length=2048, default="")
    variables = fields.JSONField(default=dict)
    recipients = fields.JSONField(default=list)
    mentions = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.QUEUED)
    caller_ip = fields.CharField(max_length=64, default="")
    trace_id = fields.CharField(max_length=32, default="")
    send_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "messages"
        unique_together = (("owner", "idempotency_key"),)
        indexes = (("status", "created_at"), ("task_id", "created_at"), ("template_id", "created_at"), ("created_at",))


class Delivery(Model):
    id = fields.BigIntField(primary_key=True)
    message = fields.ForeignKeyField("models.Message", related_name="deliveries", on_delete=fields.CASCADE)
    binding = fields.ForeignKeyField(
        "models.Binding", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    channel = fields.ForeignKeyField(
        "models.Channel", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    channel_type = fields.CharField(max_length=40)
    format = fields.CharField(max_length=16, default="text")
    # One receiver, or a chunk of them for group sends (JSON list).
    receivers = fields.JSONField(default=list)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.QUEUED)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_until = fields.DatetimeField(null=True)
    error_class = fields.CharField(max_length=32, default="")
    last_error = fields.TextField(default="")
    latency_ms = fields.IntField(null=True)
    version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "deliveries"
        indexes = (("status", "next_attempt_at"), ("channel_id", "created_at"), ("created_at",))


class DeliveryAttempt(Model):
    id = fields.BigIntField(primary_key=True)
    delivery = fields.ForeignKeyField("models.Delivery", related_name="attempt_rows", on_delete=fields.CASCADE)
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
    user = fields.ForeignKeyField("models.User", related_name="inbox_items", on_delete=fields.CASCADE)
    message = fields.ForeignKeyField(
        "models.Message", related_name="inbox_items", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=500, default="")
    body = fields.TextField(default="")
    format = fields.CharField(max_length=16, default="text")
    url = fields.CharField(max_length=2048, default="")
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inbox_items"
        indexes = (("user_id", "read_at", "id"), ("user_id", "id"), ("created_at",))
