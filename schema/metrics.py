"""Prometheus metrics, in the process's default registry.

The API serves them at `/metrics` (server/metrics.py); `pushnest worker` serves its own on
PUSHNEST_WORKER_METRICS_PORT. Queue depth is read from the database when scraped. With
OpenTelemetry on, deliveries and request durations are exported over OTLP too (schema/telemetry.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram
from tortoise.functions import Count

from schema import telemetry
from schema.models import Delivery
from schema.models.messages import DeliveryStatus

REQUESTS = Counter(
    "pushnest_http_requests", "HTTP requests served, by route template.", ["route", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "pushnest_http_request_duration_seconds", "Time to serve an HTTP request.", ["route", "method"]
)
DELIVERIES = Counter(
    "pushnest_deliveries", "Delivery attempts finished, by outcome.", ["channel_type", "outcome"]
)
DELIVERY_LATENCY = Histogram(
    "pushnest_delivery_latency_seconds",
    "Time a vendor took to answer one delivery attempt.",
    ["channel_type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
RETRIES = Counter("pushnest_retries", "Delivery attempts that scheduled a retry.", ["channel_type"])
SUBSCRIPTIONS_OPEN = Gauge("pushnest_subscriptions_open", "GraphQL subscriptions currently open.")
QUEUE_DEPTH = Gauge(
    "pushnest_queue_depth", "Deliveries waiting or being sent, by state (read on scrape).", ["state"]
)
QUEUED_STATES = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.RETRYING,
    DeliveryStatus.RATE_LIMITED,
    DeliveryStatus.SENDING,
)


def record_delivery(channel_type: str, outcome: str, latency_ms: int | None, retrying: bool) -> None:
    DELIVERIES.labels(channel_type, outcome).inc()
    if latency_ms is not None:
        DELIVERY_LATENCY.labels(channel_type).observe(latency_ms / 1000)
    if retrying:
        RETRIES.labels(channel_type).inc()
    telemetry.record_delivery(channel_type, outcome, latency_ms)


async def refresh_queue_depth() -> None:
    """Set the queue-depth gauge from the database (one grouped count over an indexed column)."""
    rows = (
        await Delivery.filter(status__in=QUEUED_STATES)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    counts = {str(status): int(n) for status, n in rows}
    for state in QUEUED_STATES:
        QUEUE_DEPTH.labels(state.value).set(counts.get(state.value, 0))
