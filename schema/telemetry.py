"""OpenTelemetry tracing and metrics over OTLP, off unless configured (PUSHNEST_OTEL_ENDPOINT).

One trace follows a send from the caller to the vendor:

    POST /graphql                  SERVER    the API request (server/tracing.py), continuing the
     └ pushnest.accept             INTERNAL  caller's `traceparent` if it sent one; the message and
        ├ pushnest.enqueue         PRODUCER  its deliveries are written here, and the message row
        └ pushnest.deliver         CONSUMER  keeps this span's W3C traceparent, which a worker
           └ pushnest.send <type>  CLIENT    reads with the row whatever woke it (an ARQ job, the
                                             sweeper, the all-in-one dispatcher, a retry)

With tracing on, a message's trace id (`Message.traceId`, its log lines, its attempt rows) *is*
the OTel trace id, so the id the API returns and the console shows finds the trace. Metrics:
deliveries by channel type and outcome, vendor latency, and HTTP request durations.

Off (the default), every function here is a no-op costing a global lookup, and opentelemetry is
never imported: it is the optional extra `pushnest[otel]`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from schema.errors import ConfigError

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

    from schema.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")
Attribute = str | int | float | bool


class SpanHandle:
    """What code inside a span may say about it; a no-op while tracing is off."""

    def __init__(self, span: Span | None = None) -> None:
        self._span = span

    def set(self, name: str, value: Attribute) -> None:
        if self._span is not None:
            self._span.set_attribute(name, value)

    def fail(self, description: str) -> None:
        if self._span is not None:
            from opentelemetry.trace import Status, StatusCode

            self._span.set_status(Status(StatusCode.ERROR, description))

    def rename(self, name: str) -> None:
        if self._span is not None:
            self._span.update_name(name)


_OFF = SpanHandle()


class _Telemetry:
    """The live tracer, meter instruments and W3C propagator, once configured."""

    def __init__(self, tracer_provider: TracerProvider, meter_provider: MeterProvider | None) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.tracer = tracer_provider.get_tracer("pushnest")
        self.propagator = TraceContextTextMapPropagator()
        self.instruments = _Instruments(meter_provider) if meter_provider is not None else None


class _Instruments:
    def __init__(self, provider: MeterProvider) -> None:
        meter = provider.get_meter("pushnest")
        self.deliveries = meter.create_counter(
            "pushnest.deliveries", description="Delivery attempts finished, by channel type and outcome."
        )
        self.latency = meter.create_histogram(
            "pushnest.delivery.latency", unit="s", description="Time a vendor took to answer one attempt."
        )
        self.requests = meter.create_histogram(
            "http.server.request.duration", unit="s", description="Time to serve an HTTP request."
        )


_live: _Telemetry | None = None


def enabled() -> bool:
    return _live is not None


def install(tracer_provider: TracerProvider, meter_provider: MeterProvider | None = None) -> None:
    """Use these providers from now on (start() does this; tests pass in-memory ones)."""
    global _live
    _live = _Telemetry(tracer_provider, meter_provider)


def uninstall() -> None:
    global _live
    _live = None


def start(settings: Settings, service_name: str) -> Callable[[], None]:
    """Export over OTLP/HTTP when an endpoint is configured; returns the flush-and-stop to run at exit."""
    if not settings.otel_endpoint:
        return lambda: None
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ConfigError(
            "PUSHNEST_OTEL_ENDPOINT is set, but OpenTelemetry is not installed: pip install 'pushnest[otel]'"
        ) from None
    base = settings.otel_endpoint.rstrip("/")
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, are merged in by the SDK.
    resource = Resource.create({"service.name": service_name})
    tracer_provider = SdkTracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces")))
    reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{base}/v1/metrics"))
    meter_provider = SdkMeterProvider(resource=resource, metric_readers=[reader])
    install(tracer_provider, meter_provider)

    def stop() -> None:
        uninstall()
        tracer_provider.shutdown()
        meter_provider.shutdown()

    return stop


@contextmanager
def span(
    name: str, kind: str = "internal", parent: str = "", attributes: Mapping[str, Attribute] | None = None
) -> Iterator[SpanHandle]:
    """A span around the block, child of the current one or of `parent` (a W3C traceparent)."""
    live = _live
    if live is None:
        yield _OFF
        return
    from opentelemetry.trace import SpanKind

    context = live.propagator.extract({"traceparent": parent}) if parent else None
    with live.tracer.start_as_current_span(
        name, context=context, kind=SpanKind[kind.upper()], attributes=attributes
    ) as current:
        yield SpanHandle(current)


def traced(
    name: str, kind: str = "internal"
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """An async function as one span (the function's body stays as it is)."""

    def decorate(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(function)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if _live is None:
                return await function(*args, **kwargs)
            with span(name, kind):
                return await function(*args, **kwargs)

        return wrapper

    return decorate


def message_trace() -> tuple[str, str]:
    """(trace id, traceparent) for a new message: the current span's while tracing, else a random
    id (16 hex digits) and no parent."""
    live = _live
    if live is None:
        return secrets.token_hex(8), ""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return secrets.token_hex(8), ""
    carrier: dict[str, str] = {}
    live.propagator.inject(carrier)
    return format(context.trace_id, "032x"), carrier.get("traceparent", "")


def record_delivery(channel_type: str, outcome: str, latency_ms: int | None) -> None:
    instruments = _live.instruments if _live is not None else None
    if instruments is None:
        return
    labels = {"pushnest.channel_type": channel_type, "pushnest.outcome": outcome}
    instruments.deliveries.add(1, labels)
    if latency_ms is not None:
        instruments.latency.record(latency_ms / 1000, {"pushnest.channel_type": channel_type})


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    instruments = _live.instruments if _live is not None else None
    if instruments is None:
        return
    labels: dict[str, Any] = {
        "http.route": route,
        "http.request.method": method,
        "http.response.status_code": status,
    }
    instruments.requests.record(seconds, labels)
