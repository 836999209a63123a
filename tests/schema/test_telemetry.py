"""schema/telemetry.py with the SDK's in-memory exporter: off it does nothing and a message gets a
random trace id; on, spans nest, a stored traceparent continues a trace, and a message's trace id
is the current trace's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from schema import telemetry
from schema.errors import ConfigError
from schema.settings import load_settings


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.install(provider)
    try:
        yield exporter
    finally:
        telemetry.uninstall()


def test_off_nothing_is_traced_and_messages_get_a_random_id() -> None:
    assert not telemetry.enabled()
    with telemetry.span("anything") as handle:
        handle.set("a", 1)
        handle.fail("no")
    trace_id, traceparent = telemetry.message_trace()
    assert len(trace_id) == 16 and int(trace_id, 16) >= 0 and traceparent == ""
    telemetry.record_delivery("webhook", "succeeded", 12)  # no meter: nothing to do


async def test_a_message_takes_the_current_trace_and_a_worker_continues_it(
    exported: InMemorySpanExporter,
) -> None:
    @telemetry.traced("pushnest.accept")
    async def accept() -> tuple[str, str]:
        return telemetry.message_trace()

    trace_id, traceparent = await accept()
    with telemetry.span("pushnest.deliver", kind="consumer", parent=traceparent) as handle:
        handle.set("pushnest.delivery_id", 7)
        handle.fail("vendor said no")
    accept_span, deliver_span = exported.get_finished_spans()
    assert format(accept_span.context.trace_id, "032x") == trace_id
    assert traceparent.startswith(f"00-{trace_id}-{format(accept_span.context.span_id, '016x')}-")
    assert deliver_span.context.trace_id == accept_span.context.trace_id
    assert deliver_span.parent is not None and deliver_span.parent.span_id == accept_span.context.span_id
    assert deliver_span.attributes == {"pushnest.delivery_id": 7}
    assert deliver_span.status.description == "vendor said no"


def test_outside_any_span_a_message_starts_no_trace(exported: InMemorySpanExporter) -> None:
    trace_id, traceparent = telemetry.message_trace()
    assert len(trace_id) == 16 and traceparent == ""


def test_a_garbled_traceparent_starts_a_new_trace(exported: InMemorySpanExporter) -> None:
    with telemetry.span("pushnest.deliver", parent="00-not-a-trace"):
        pass
    [span] = exported.get_finished_spans()
    assert span.parent is None and span.context.is_valid


def test_the_endpoint_is_a_collector_url(tmp_path: object) -> None:
    base = {"PUSHNEST_DATA_DIR": str(tmp_path), "PUSHNEST_CONFIG": str(tmp_path) + "/none.ini"}
    assert load_settings(base).otel_endpoint is None
    assert (
        load_settings(base | {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}).otel_endpoint
        == "http://c:4318"
    )
    both = base | {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "PUSHNEST_OTEL_ENDPOINT": "https://d"}
    assert load_settings(both).otel_endpoint == "https://d"
    with pytest.raises(ConfigError, match="PUSHNEST_OTEL_ENDPOINT"):
        load_settings(base | {"PUSHNEST_OTEL_ENDPOINT": "collector:4317"})
