"""Delivery statistics kept as daily rollups, incremented as deliveries reach a final state.

Reading statistics never scans `deliveries`: a day's counters are summed instead. Every final
delivery is counted in two `DeliveryStat` rows of its day and owner: its channel's (task_id and
template_id = ALL) and its task's or template's (channel_type "" and channel_id = ALL). Reads then
touch days x (channels + targets) rows, not days x channels x targets. "None" is stored as 0, not
NULL, so the unique key (which treats NULLs as distinct) still merges those rows.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# Upper bounds (ms) of the latency histogram buckets; the last bucket has no upper bound.
LATENCY_BOUNDS_MS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000)
ALL = -1  # this row sums over every value of the column
LATENCY_COLUMNS = (*(f"lat_{b}" for b in LATENCY_BOUNDS_MS), "lat_inf")


class DeliveryStat(Model):
    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    owner_id = fields.IntField()
    channel_type = fields.CharField(max_length=40)
    channel_id = fields.IntField(default=0)  # 0: none, ALL (-1): a per-task/template row
    task_id = fields.IntField(default=0)  # 0: none, ALL (-1): a per-channel row
    template_id = fields.IntField(default=0)
    sent = fields.IntField(default=0)
    succeeded = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    unknown = fields.IntField(default=0)
    lat_50 = fields.IntField(default=0)
    lat_100 = fields.IntField(default=0)
    lat_200 = fields.IntField(default=0)
    lat_500 = fields.IntField(default=0)
    lat_1000 = fields.IntField(default=0)
    lat_2000 = fields.IntField(default=0)
    lat_5000 = fields.IntField(default=0)
    lat_10000 = fields.IntField(default=0)
    lat_30000 = fields.IntField(default=0)
    lat_inf = fields.IntField(default=0)

    class Meta:
        table = "delivery_stats"
        unique_together = (("day", "owner_id", "channel_type", "channel_id", "task_id", "template_id"),)
        # The admin view filters by day alone; the unique key (day first) serves it.
        indexes = (("owner_id", "day"),)


class ErrorStat(Model):
    """Failures per day and owner by class and message (not per channel: the top-errors view spans
    channels, and a per-channel key multiplied the rows the admin view must sum)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    owner_id = fields.IntField()
    error_class = fields.CharField(max_length=32)
    error = fields.CharField(max_length=200)
    count = fields.IntField(default=0)

    class Meta:
        table = "error_stats"
        unique_together = (("day", "owner_id", "error_class", "error"),)
        indexes = (("owner_id", "day"),)
