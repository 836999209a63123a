"""OpenTelemetry across processes: one trace from a caller's request to `pushnest serve`, through the
accept and the queue, to `pushnest worker` and its vendor call, exported over real OTLP/HTTP to a
collector (tests/fakes/otlp_collector.py); the message's trace id is that trace's id.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.otlp_collector import ExportedSpan, OtlpCollector
from tests.scaleout.conftest import Cluster

SEND = """mutation($i: SendMessageInput!) {
  sendMessage(input: $i) { message { id traceId } }
}"""
STATUS = "query($id: Int!) { message(id: $id) { status } }"


@pytest.fixture(scope="module")
async def collector() -> AsyncIterator[OtlpCollector]:
    receiver = OtlpCollector()
    await receiver.start()
    yield receiver
    await receiver.stop()


@pytest.fixture(scope="module")
def extra_env(collector: OtlpCollector) -> dict[str, str]:
    # Short export intervals (the SDK's own variables), so the test waits for seconds, not minutes.
    return {
        "PUSHNEST_OTEL_ENDPOINT": collector.base_url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "500",
    }


def one(spans: list[ExportedSpan], name: str) -> ExportedSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, (name, [s.name for s in spans])
    return found[0]


async def test_one_trace_from_the_caller_to_the_vendor_call(
    cluster: Cluster, collector: OtlpCollector
) -> None:
    cluster.start_worker()
    caller_trace, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
        task_id, key = await cluster.webhook_task(http, "/traced")
        response = await http.post(
            "/graphql",
            json={"query": SEND, "variables": {"i": {"taskId": task_id, "text": "traced"}}},
            headers={"Authorization": f"Bearer {key}", "traceparent": f"00-{caller_trace}-{caller_span}-01"},
        )
        message = response.json()["data"]["sendMessage"]["message"]
        assert message["traceId"] == caller_trace  # the id the API returns and the console shows

        def whole_trace() -> bool:
            names = {s.name for s in collector.spans if s.trace_id == caller_trace}
            return {"POST /graphql", "pushnest.accept", "pushnest.deliver", "pushnest.send webhook"} <= names

        await collector.wait_for(whole_trace)
        status = await cluster.gql(http, STATUS, {"id": message["id"]})
    assert status["message"]["status"] == "SUCCEEDED"

    spans = [s for s in collector.spans if s.trace_id == caller_trace]
    request = one(spans, "POST /graphql")
    accept = one(spans, "pushnest.accept")
    enqueue = one(spans, "pushnest.enqueue")
    deliver = one(spans, "pushnest.deliver")
    vendor = one(spans, "pushnest.send webhook")
    assert (request.service, request.kind, request.parent_id) == ("pushnest-api", "server", caller_span)
    assert request.attributes["http.response.status_code"] == 200
    assert (accept.service, accept.parent_id) == ("pushnest-api", request.span_id)
    assert (enqueue.kind, enqueue.parent_id) == ("producer", accept.span_id)
    # Across the queue: the worker continued from the traceparent stored with the message.
    assert (deliver.service, deliver.kind, deliver.parent_id) == (
        "pushnest-worker",
        "consumer",
        accept.span_id,
    )
    assert deliver.attributes["pushnest.message_id"] == message["id"]
    assert deliver.attributes["pushnest.delivery.status"] == "succeeded" and not deliver.error
    assert (vendor.service, vendor.kind, vendor.parent_id) == ("pushnest-worker", "client", deliver.span_id)
    assert vendor.attributes["pushnest.channel_type"] == "webhook"
    assert collector.refused == []


async def test_a_failed_vendor_call_is_an_error_span_and_metrics_are_exported(
    cluster: Cluster, collector: OtlpCollector
) -> None:
    from tests.fakes.webhook_sink import Reply

    if not cluster.workers:
        cluster.start_worker()
    cluster.sink.script("/refused", Reply(status=400, body='{"error":"no"}'))
    async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
        task_id, key = await cluster.webhook_task(http, "/refused")
        data = await cluster.gql(http, SEND, {"i": {"taskId": task_id, "text": "refused"}}, token=key)
    trace_id = data["sendMessage"]["message"]["traceId"]
    assert len(trace_id) == 32  # a fresh trace of its own, started by the API

    def failed_delivery() -> bool:
        return any(s.name == "pushnest.deliver" and s.trace_id == trace_id for s in collector.spans)

    await collector.wait_for(failed_delivery)
    deliver = one([s for s in collector.spans if s.trace_id == trace_id], "pushnest.deliver")
    assert deliver.error and deliver.attributes["pushnest.delivery.status"] == "failed"

    def delivery_metrics() -> bool:
        outcomes = {
            str(point.get("pushnest.outcome"))
            for m in collector.metrics
            if m.service == "pushnest-worker" and m.name == "pushnest.deliveries"
            for point in m.attributes
        }
        return {"succeeded", "failed"} <= outcomes

    await collector.wait_for(delivery_metrics)
    api_metrics = {m.name for m in collector.metrics if m.service == "pushnest-api"}
    assert "http.server.request.duration" in api_metrics
