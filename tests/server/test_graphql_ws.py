"""`NextFrames`: frames sent by the publisher and by the operation's task leave in order, also when
the socket makes a send wait (a slow reader), and stop once the operation is forgotten."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.websockets import WebSocketDisconnect

from server.graphql_ws import NextFrames


class SlowSocket:
    """Records what is sent; while `blocked` is clear, a send waits (like a full socket buffer)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.blocked = asyncio.Event()
        self.blocked.set()
        self.gone = False

    async def send_text(self, text: str) -> None:
        await self.blocked.wait()
        if self.gone:
            raise WebSocketDisconnect(1006)
        self.sent.append(text)


class Handler:
    def __init__(self) -> None:
        self.operations: dict[str, Any] = {}


class Op:
    def __init__(self, op_id: str) -> None:
        self.id = op_id


def frames(op_id: str = "op-1") -> tuple[NextFrames, SlowSocket, Handler]:
    ws, handler, operation = SlowSocket(), Handler(), Op(op_id)
    handler.operations[op_id] = operation
    return NextFrames(handler, ws, operation), ws, handler  # type: ignore[arg-type]


async def test_a_send_that_does_not_wait_is_done_at_once() -> None:
    sink, ws, _ = frames('say "hi"')
    assert sink.send_now('{"data":{"n":1}}')
    assert ws.sent == ['{"id":"say \\"hi\\"","type":"next","payload":{"data":{"n":1}}}']


async def test_a_waiting_send_holds_back_later_frames() -> None:
    sink, ws, _ = frames()
    ws.blocked.clear()
    assert sink.send_now('"first"')  # taken: it finishes in a task once the socket drains
    assert not sink.send_now('"second"')  # declined: it would overtake the first
    later = asyncio.create_task(sink.send_payload('"third"'))
    await asyncio.sleep(0.01)
    assert ws.sent == []
    ws.blocked.set()
    await later
    assert [text.split('"payload":')[1] for text in ws.sent] == ['"first"}', '"third"}']
    assert sink.send_now('"fourth"') and len(ws.sent) == 3


async def test_nothing_goes_out_for_a_forgotten_operation() -> None:
    sink, ws, handler = frames()
    handler.operations.clear()  # the client completed it; its task is being cancelled
    assert sink.send_now('"late"')
    await sink.send_payload('"late too"')
    assert ws.sent == []


async def test_a_vanished_client_ends_sending_quietly() -> None:
    sink, ws, _ = frames()
    ws.gone = True
    assert sink.send_now('"x"')
    assert sink.send_now('"y"')
    await sink.send_payload('"z"')
    await sink.flush()
    assert ws.sent == []


async def test_a_cancelled_waiting_send_stops_the_operation_without_blocking_it() -> None:
    sink, ws, _ = frames()
    ws.blocked.clear()
    assert sink.send_now('"stuck"')
    pending = sink._pending
    assert pending is not None
    pending.cancel()  # e.g. the server stopping
    await sink.flush()  # returns; does not raise the send's cancellation into the caller
    assert pending.cancelled() and sink._pending is None
    ws.blocked.set()
    assert sink.send_now('"after"')
    await sink.send_payload('"after too"')
    assert ws.sent == []
