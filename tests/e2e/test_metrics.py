"""`/metrics`: Prometheus text with requests, deliveries, latency, retries, subscriptions, queue depth."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_delivery import send, settled, webhook_task
from tests.e2e.test_subscriptions import EVENTS, ws_url
from tests.fakes.gql_ws import subscribe
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.helpers import GraphQLClient

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: GraphQLClient) -> tuple[str, Samples]:
    response = await client.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_after_a_send(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=500), Reply(status=200))
    sent = await send(admin, taskId=task_id, text="count me")
    message = await settled(admin, sent["message"]["id"])
    assert message["status"] == "SUCCEEDED"

    text, samples = await scrape(admin)

    assert value(samples, "pushnest_deliveries_total", channel_type="webhook", outcome="succeeded") >= 1
    assert value(samples, "pushnest_deliveries_total", channel_type="webhook", outcome="retrying") >= 1
    assert value(samples, "pushnest_retries_total", channel_type="webhook") >= 1
    assert value(samples, "pushnest_delivery_latency_seconds_count", channel_type="webhook") >= 2
    assert 'pushnest_delivery_latency_seconds_bucket{channel_type="webhook",le="+Inf"}' in text
    assert value(samples, "pushnest_http_requests_total", route="/graphql", method="POST", status="200") >= 2
    assert (
        value(samples, "pushnest_http_request_duration_seconds_count", route="/graphql", method="POST") >= 2
    )
    for state in ("queued", "retrying", "rate_limited", "sending"):
        assert ("pushnest_queue_depth", frozenset({("state", state)})) in samples
    assert ("pushnest_subscriptions_open", frozenset()) in samples


async def test_unmatched_paths_are_counted_together(admin: GraphQLClient) -> None:
    # Every GET path the API does not answer goes to the console's route (here: not built, 404).
    response = await admin.http.get("/no/such/secret-token-abc")
    assert response.status_code == 404
    response = await admin.http.request("PROPFIND", "/other/secret-token-abc")
    assert response.status_code == 405
    text, samples = await scrape(admin)
    assert (
        value(samples, "pushnest_http_requests_total", route="/{path:path}", method="GET", status="404") >= 1
    )
    assert (
        value(samples, "pushnest_http_requests_total", route="/{path:path}", method="PROPFIND", status="405")
        >= 1
    )
    assert "secret-token-abc" not in text


async def test_queue_depth_counts_waiting_deliveries(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(delay=1.0))
    sent = await send(admin, taskId=task_id, text="slow")
    await sink.wait_for(path, 1)  # being sent right now
    _, samples = await scrape(admin)
    assert value(samples, "pushnest_queue_depth", state="sending") >= 1
    await settled(admin, sent["message"]["id"])


async def test_open_subscriptions_are_counted(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    _, before = await scrape(admin)
    assert admin.token
    started, ended = admin.server_events.started, admin.server_events.ended
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"t": task_id}):
        await admin.server_events.subscribed(started)
        _, during = await scrape(admin)
    assert value(during, "pushnest_subscriptions_open") == value(before, "pushnest_subscriptions_open") + 1
    await admin.server_events.unsubscribed(ended)  # the server notices the close a moment later
    _, after = await scrape(admin)
    assert value(after, "pushnest_subscriptions_open") == value(before, "pushnest_subscriptions_open")


TRACED = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id traceId } } }"


async def test_the_trace_id_is_returned_stored_and_logged(admin: GraphQLClient, sink: WebhookSink) -> None:
    import logging

    from schema.logging_setup import ContextFilter
    from schema.models import DeliveryAttempt

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    httpx_log = logging.getLogger("httpx")  # logs each vendor call, inside the delivery's task
    saved = httpx_log.level
    httpx_log.addHandler(handler)
    httpx_log.setLevel(logging.INFO)
    try:
        task_id, path = await webhook_task(admin, sink)
        sink.script(path, Reply(status=500), Reply(status=200))
        message = (await admin.call(TRACED, {"i": {"taskId": task_id, "text": "trace me"}}))["sendMessage"][
            "message"
        ]
        await settled(admin, message["id"])
    finally:
        httpx_log.removeHandler(handler)
        httpx_log.setLevel(saved)
    trace_id = message["traceId"]
    assert len(trace_id) == 16
    attempts = await DeliveryAttempt.filter(delivery__message_id=message["id"]).values_list(
        "trace_id", flat=True
    )
    assert list(attempts) == [trace_id, trace_id]
    traced = [r for r in records if getattr(r, "message_id", None) == message["id"]]
    assert traced and all(getattr(r, "trace_id", None) == trace_id for r in traced)
