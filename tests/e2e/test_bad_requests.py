"""Malformed requests from outside get a 400 or a typed error, never a 500, a crash or a dropped
connection; a client that hangs up mid-body is no ERROR in the log."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import GraphQLClient, code_and_field

DEEP = b"[" * 100_000 + b"]" * 100_000
JSON = {"Content-Type": "application/json"}


def nested(levels: int) -> bytes:
    return b'{"query": "{ me { id } }", "variables": {"a": ' + b"[" * levels + b"]" * levels + b"}}"


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """ERROR lines of PushNest and of uvicorn ("Exception in ASGI application") logged so far."""
    server_log = logging.getLogger("uvicorn.error")  # does not propagate to the root logger
    server_log.addHandler(caplog.handler)
    try:
        # caplog.records is a new list in each test phase: read it when asked, not now.
        yield lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        server_log.removeHandler(caplog.handler)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"null", "JSON object"),
        (b'"x"', "JSON object"),
        (b"5", "JSON object"),
        (b'{"query": "{ me { id } }\xff"}', "UTF-8"),
        (b"\xfe\xff\x00{", "UTF-8"),
        (DEEP, "nested"),
        (nested(40), "nested"),
        (b"{", "JSON"),
    ],
    ids=["null", "string", "number", "bad-utf8", "utf16-bom", "deep-100000", "deep-variables", "truncated"],
)
async def test_bad_graphql_bodies_are_400_with_a_code(
    anonymous: GraphQLClient, errors_logged: Callable[[], list[str]], body: bytes, words: str
) -> None:
    response = await anonymous.http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_INPUT" and words in error["message"]
    assert errors_logged() == []


async def test_variables_nested_within_reason_still_work(anonymous: GraphQLClient) -> None:
    body = nested(20).replace(b"{ me { id } }", b"{ __typename }")
    response = await anonymous.http.post("/graphql", content=body, headers=JSON)
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ me { id } }", "variables": "[" * 5000 + "]" * 5000},
        {"query": "{ me { id } }", "variables": "5"},
        {"query": "{ me { id "},
    ],
    ids=["deep-variables", "variables-not-object", "syntax"],
)
async def test_bad_get_requests_are_refused_with_a_code(
    anonymous: GraphQLClient, params: dict[str, str]
) -> None:
    response = await anonymous.http.get("/graphql", params=params)
    assert response.status_code in (200, 400), response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"


async def test_requests_strawberry_refuses_come_as_graphql_errors(anonymous: GraphQLClient) -> None:
    plain = await anonymous.http.post("/graphql", content=b"{}", headers={"Content-Type": "text/plain"})
    mutation = await anonymous.http.get(
        "/graphql", params={"query": "mutation { markAllInboxRead { unreadCount } }"}
    )
    for response in (plain, mutation):
        assert 400 <= response.status_code < 500
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/message/send", DEEP), ("/api/v2/message/send", nested(40)), ("/api/send", b"\xff{")],
    ids=["v1-deep", "v2-deep-field", "simple-bad-utf8"],
)
async def test_bad_rest_bodies_are_400_in_the_envelope(
    anonymous: GraphQLClient, errors_logged: Callable[[], list[str]], path: str, body: bytes
) -> None:
    response = await anonymous.http.post(path, content=body, headers=JSON)
    # The compat endpoints answer Message Nest's error cases in an HTTP 200 (the code is in the body).
    assert response.status_code == 200 and response.json()["code"] == 400, response.text
    assert errors_logged() == []


async def raw_exchange(base_url: str, *requests: bytes) -> list[bytes]:
    """Sends each request on ONE connection after the previous answer; the answers' heads."""
    url = httpx.URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    heads = []
    try:
        for request in requests:
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            heads.append(head)
    finally:
        writer.close()
    return heads


def post(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: pushnest\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def test_a_bad_body_does_not_drop_the_keep_alive_connection(anonymous: GraphQLClient) -> None:
    bad = post("/graphql", b'{"query": "{ me { id } }\xff"}')
    good = b"GET /healthz HTTP/1.1\r\nHost: pushnest\r\n\r\n"
    heads = await raw_exchange(str(anonymous.http.base_url), bad, good)
    assert heads[0].startswith(b"HTTP/1.1 400") and heads[1].startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("path", ["/graphql", "/api/v1/message/send"])
async def test_a_client_hanging_up_mid_body_is_not_an_error(
    anonymous: GraphQLClient, errors_logged: Callable[[], list[str]], path: str
) -> None:
    url = httpx.URL(str(anonymous.http.base_url))
    _, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(post(path, b'{"query": "{ me { id } }"}' * 40)[:-500])  # 500 bytes short
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await asyncio.sleep(0.5)  # the server notices and gives up on the request
    assert (await anonymous.http.get("/healthz")).status_code == 200
    assert errors_logged() == []


def cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("field", ["messages", "auditLogs", "users", "tasks", "channels"])
async def test_forged_cursors_are_bad_input(admin: GraphQLClient, field: str) -> None:
    for raw in (b"c:99999999999999999999999", b"c:-1", b"c:1e5"):
        error = await admin.fails(
            f"query($a: String) {{ {field}(first: 5, after: $a) {{ totalCount }} }}", {"a": cursor(raw)}
        )
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": "after"}, error


@pytest.mark.parametrize("name", ["action", "actorName", "objectType", "objectId"])
async def test_over_long_audit_filters_are_bad_input(admin: GraphQLClient, name: str) -> None:
    query = f"query($v: String) {{ auditLogs(first: 5, filter: {{ {name}: $v }}) {{ totalCount }} }}"
    assert (await admin.call(query, {"v": "x" * 32}))["auditLogs"]["totalCount"] == 0
    error = await admin.fails(query, {"v": "x" * 100_000})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": f"filter.{name}"}


async def test_over_long_send_log_search_is_bad_input(admin: GraphQLClient) -> None:
    error = await admin.fails('{ messages(filter: { search: "' + "x" * 201 + '" }) { totalCount } }')
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "search"}


@pytest.mark.parametrize(
    "moment", ["2030-01-01T09:00:00", "2030-01-01", "next tuesday", "2030-13-01T00:00:00Z"]
)
async def test_date_times_need_a_utc_offset(admin: GraphQLClient, moment: str) -> None:
    as_variable = await admin.fails(
        "query($s: DateTime) { auditLogs(since: $s) { totalCount } }", {"s": moment}
    )
    inline = await admin.fails(f'{{ messages(filter: {{ since: "{moment}" }}) {{ totalCount }} }}')
    for error in (as_variable, inline):
        assert error["extensions"]["code"] == "BAD_INPUT", error


async def test_a_naive_send_at_is_refused_and_an_aware_one_is_scheduled(admin: GraphQLClient) -> None:
    from schema.models import Message
    from tests.e2e.test_send_validation import setup

    task = (await setup(admin))["task"]
    send = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id status sendAt } } }"
    before = await Message.all().count()
    error = await admin.fails(send, {"i": {"taskId": task, "text": "later", "sendAt": "2099-01-01T09:00:00"}})
    assert error["extensions"]["code"] == "BAD_INPUT" and "UTC offset" in error["message"]
    assert await Message.all().count() == before
    data: dict[str, Any] = await admin.call(
        send, {"i": {"taskId": task, "text": "later", "sendAt": "2099-01-01T17:00:00+08:00"}}
    )
    message = data["sendMessage"]["message"]
    assert message["status"] == "SCHEDULED" and message["sendAt"].startswith("2099-01-01T09:00:00")
