"""The console's session cookie: HttpOnly and SameSite=Strict, believed only with the console's
header from an allowed origin, replaced on a password change, cleared by logout; bearer tokens and
API keys work as before."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from server.session_cookie import COOKIE
from tests.e2e.test_transport import TRANSPORT_WS, receive, ws_url
from tests.helpers import ADMIN_PASSWORD, GraphQLClient, code_and_field, new_member

CONSOLE = {"X-PushNest-Console": "1"}
LOGIN = "mutation($u: String!, $p: String!, $c: Boolean!) { login(username: $u, password: $p, cookie: $c) { token user { username } } }"
ME = "{ me { username } }"


@pytest.fixture
async def browser(server: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own, like a browser profile: cookies are sent back by hand (see `gql`)."""
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        yield http


async def gql(
    http: httpx.AsyncClient,
    query: str,
    cookie: str = "",
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> httpx.Response:
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = f"{COOKIE}={cookie}"
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers=sent)


def set_cookie(response: httpx.Response) -> Any:
    """The session cookie the answer sets (a Morsel), or None."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar.get(COOKIE)


async def cookie_login(
    http: httpx.AsyncClient, username: str = "admin", password: str = ADMIN_PASSWORD
) -> str:
    response = await gql(http, LOGIN, headers=CONSOLE, u=username, p=password, c=True)
    assert response.json()["data"]["login"] == {"token": None, "user": {"username": username}}
    morsel = set_cookie(response)
    assert morsel is not None
    return str(morsel.value)


async def test_login_with_cookie_sets_a_strict_http_only_cookie_and_returns_no_token(
    browser: httpx.AsyncClient,
) -> None:
    response = await gql(browser, LOGIN, headers=CONSOLE, u="admin", p=ADMIN_PASSWORD, c=True)
    assert response.json()["data"]["login"]["token"] is None
    morsel = set_cookie(response)
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict" and morsel["path"] == "/graphql"
    assert int(morsel["max-age"]) > 0 and not morsel["secure"]  # plain http here
    me = await gql(browser, ME, cookie=morsel.value, headers=CONSOLE)
    assert me.json() == {"data": {"me": {"username": "admin"}}}


async def test_the_cookie_is_secure_behind_a_trusted_https_proxy(browser: httpx.AsyncClient) -> None:
    headers = CONSOLE | {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = await gql(browser, LOGIN, headers=headers, u="admin", p=ADMIN_PASSWORD, c=True)
    assert set_cookie(response)["secure"]


async def test_without_the_console_header_no_cookie_is_set_or_believed(browser: httpx.AsyncClient) -> None:
    refused = await gql(browser, LOGIN, u="admin", p=ADMIN_PASSWORD, c=True)
    error = refused.json()["errors"][0]
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "cookie"} and set_cookie(refused) is None
    cookie = await cookie_login(browser)
    # What a cross-site form, image or link can send: the cookie, but never the custom header.
    for response in (
        await gql(browser, ME, cookie=cookie),
        await browser.get("/graphql", params={"query": ME}, headers={"Cookie": f"{COOKIE}={cookie}"}),
    ):
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and "X-PushNest-Console" in error["message"]


async def test_the_cookie_counts_only_from_this_or_an_allowed_origin(browser: httpx.AsyncClient) -> None:
    cookie = await cookie_login(browser)
    host = browser.base_url.netloc.decode()
    for origin, works in [
        (f"http://{host}", True),
        ("http://console.test", True),  # PUSHNEST_ALLOWED_ORIGINS in the test settings
        ("https://evil.example", False),
        ("null", False),
    ]:
        body = (await gql(browser, ME, cookie=cookie, headers=CONSOLE | {"Origin": origin})).json()
        assert ("errors" not in body) is works, (origin, body)


async def test_a_bearer_token_wins_over_the_cookie(browser: httpx.AsyncClient, admin: GraphQLClient) -> None:
    member, username = await new_member(admin)
    cookie = await cookie_login(browser)
    headers = CONSOLE | {"Authorization": f"Bearer {member.token}"}
    assert (await gql(browser, ME, cookie=cookie, headers=headers)).json()["data"]["me"][
        "username"
    ] == username


async def test_logout_clears_the_cookie(browser: httpx.AsyncClient) -> None:
    cookie = await cookie_login(browser)
    response = await gql(browser, "mutation { logout }", cookie=cookie, headers=CONSOLE)
    assert response.json() == {"data": {"logout": True}}
    cleared = set_cookie(response)
    assert cleared is not None and cleared.value == "" and int(cleared["max-age"]) == 0
    assert cleared["path"] == "/graphql"


async def test_a_password_change_moves_the_cookie_session_to_a_new_cookie(
    browser: httpx.AsyncClient, admin: GraphQLClient
) -> None:
    _, username = await new_member(admin, password="member-password-1")
    old = await cookie_login(browser, username, "member-password-1")
    change = "mutation($a: String!, $b: String!) { changePassword(currentPassword: $a, newPassword: $b) { token } }"
    response = await gql(
        browser, change, cookie=old, headers=CONSOLE, a="member-password-1", b="member-password-2"
    )
    assert response.json() == {"data": {"changePassword": {"token": None}}}
    new = set_cookie(response).value
    assert (await gql(browser, ME, cookie=new, headers=CONSOLE)).json()["data"]["me"]["username"] == username
    stale = (await gql(browser, ME, cookie=old, headers=CONSOLE)).json()["errors"][0]
    assert stale["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bearer_session_still_gets_its_new_token_in_the_answer(admin: GraphQLClient) -> None:
    member, _ = await new_member(admin, password="member-password-1")
    change = "mutation($a: String!, $b: String!) { changePassword(currentPassword: $a, newPassword: $b) { token } }"
    data = await member.call(change, {"a": "member-password-1", "b": "member-password-2"})
    assert data["changePassword"]["token"]


async def test_a_websocket_signs_in_with_the_cookie_from_its_own_origin(
    browser: httpx.AsyncClient, admin: GraphQLClient
) -> None:
    cookie = await cookie_login(browser)
    headers = {"Cookie": f"{COOKIE}={cookie}"}
    async with websockets.connect(
        ws_url(admin),
        subprotocols=[TRANSPORT_WS],
        additional_headers=headers,
        origin=Origin("http://console.test"),
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await receive(ws) == {"type": "connection_ack", "payload": {"user": "admin"}}
    with pytest.raises(Exception) as refused:  # a foreign page: refused before any sign-in
        async with websockets.connect(
            ws_url(admin),
            subprotocols=[TRANSPORT_WS],
            additional_headers=headers,
            origin=Origin("https://evil.example"),
        ) as ws:
            await ws.recv()
    assert "403" in str(refused.value) or "1008" in str(refused.value)
    async with websockets.connect(ws_url(admin), subprotocols=[TRANSPORT_WS]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403  # no cookie, no token
