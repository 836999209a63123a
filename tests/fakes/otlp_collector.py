"""An OpenTelemetry collector's OTLP/HTTP receiver: `POST /v1/traces` and `/v1/metrics`.

It takes what a real collector takes (protobuf bodies, `Content-Type: application/x-protobuf`,
optionally gzipped), decodes them with the OTLP protobuf definitions, and answers with the
protocol's empty success message. Tests read back spans (with their resource's service name) and
metric names, and wait for them with `wait_for`, which the receiving handler wakes.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.fakes.local import serve

PROTOBUF = "application/x-protobuf"
KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


@dataclass(frozen=True)
class ExportedSpan:
    service: str
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, object]
    error: bool


@dataclass(frozen=True)
class ExportedMetric:
    service: str
    name: str
    attributes: list[dict[str, object]]


class OtlpCollector:
    def __init__(self) -> None:
        self.spans: list[ExportedSpan] = []
        self.metrics: list[ExportedMetric] = []
        self.refused: list[str] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/traces", self._traces)
        app.router.add_post("/v1/metrics", self._metrics)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, found: Callable[[], bool], timeout: float = 30) -> None:
        """Until `found()` holds, woken by each export (no polling)."""
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()  # before looking: an export from now on sets it again
                if found():
                    return
                await self._changed.wait()

    async def _body(self, request: web.Request) -> bytes | None:
        if request.content_type != PROTOBUF:
            self.refused.append(f"{request.path}: content type {request.content_type}")
            return None
        raw = await request.read()
        return gzip.decompress(raw) if request.headers.get("Content-Encoding") == "gzip" else raw

    async def _traces(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body is None:
            return web.Response(status=415)
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            service = _attributes(resource_spans.resource.attributes).get("service.name", "")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        ExportedSpan(
                            service=str(service),
                            name=span.name,
                            kind=KINDS.get(span.kind, str(span.kind)),
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            attributes=_attributes(span.attributes),
                            error=span.status.code == 2,
                        )
                    )
        self._changed.set()
        return web.Response(body=ExportTraceServiceResponse().SerializeToString(), content_type=PROTOBUF)

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body is None:
            return web.Response(status=415)
        export = ExportMetricsServiceRequest.FromString(body)
        for resource_metrics in export.resource_metrics:
            service = _attributes(resource_metrics.resource.attributes).get("service.name", "")
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    points = [*metric.sum.data_points, *metric.histogram.data_points]
                    self.metrics.append(
                        ExportedMetric(str(service), metric.name, [_attributes(p.attributes) for p in points])
                    )
        self._changed.set()
        return web.Response(body=ExportMetricsServiceResponse().SerializeToString(), content_type=PROTOBUF)


def _attributes(pairs: object) -> dict[str, object]:
    values: dict[str, object] = {}
    for pair in pairs:  # type: ignore[attr-defined]
        value = pair.value
        kind = value.WhichOneof("value")
        values[pair.key] = getattr(value, kind) if kind else None
    return values
