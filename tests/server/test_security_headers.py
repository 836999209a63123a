"""Security headers on the console and the API: one strict CSP, no framing, no sniffing, no referrer;
GraphiQL (built with the console) gets the same policy with what its editor needs, nothing more."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from schema.settings import Settings
from server.app import create_app
from server.security_headers import CONSOLE_CSP, GRAPHIQL_CSP
from tests.helpers import GraphQLClient

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>PushNest</title>")
    (root / "assets" / "app-abc123.js").write_text("console.log(1)")
    (root / "favicon.svg").write_text("<svg/>")
    (root / "graphiql.html").write_text("<!doctype html><title>PushNest GraphiQL</title>")
    return root


def console_client(settings: Settings, console_dir: Path) -> httpx.AsyncClient:
    # No lifespan: console routes need neither the database nor the runtime.
    app = create_app(settings.model_copy(update={"console_dir": console_dir}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")


def assert_headers(response: httpx.Response, csp: str) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert response.headers.get("content-security-policy") == csp, response.url


def test_the_console_policy_is_strict() -> None:
    directives = dict(part.split(" ", 1) for part in CONSOLE_CSP.split("; "))
    assert directives["script-src"] == "'self'" and "unsafe" not in CONSOLE_CSP
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["object-src"] == "'none'"


@pytest.mark.parametrize(
    "path", ["/", "/messages/12", "/assets/app-abc123.js", "/favicon.svg", "/assets/missing.js"]
)
async def test_console_answers_carry_the_headers(settings: Settings, dist: Path, path: str) -> None:
    async with console_client(settings, dist) as console:
        assert_headers(await console.get(path), CONSOLE_CSP)


async def test_the_not_built_page_needs_no_inline_style(settings: Settings, tmp_path: Path) -> None:
    async with console_client(settings, tmp_path / "never-built") as console:
        response = await console.get("/")
    assert_headers(response, CONSOLE_CSP)
    assert "style=" not in response.text and "<style" not in response.text and "<script" not in response.text


async def test_api_answers_carry_the_headers(anonymous: GraphQLClient) -> None:
    http = anonymous.http
    for response in (
        await http.post("/graphql", json={"query": "{ __typename }"}),
        await http.post("/graphql", content=b"null", headers={"Content-Type": "application/json"}),
        await http.get("/healthz"),
        await http.get("/readyz"),
        await http.get("/metrics"),
        await http.post("/api/send", data={"title": "x"}),
    ):
        assert_headers(response, CONSOLE_CSP)


async def test_graphiql_gets_its_own_strict_policy(settings: Settings, dist: Path) -> None:
    async with console_client(settings, dist) as console:
        page = await console.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "PushNest GraphiQL" in page.text
    assert_headers(page, GRAPHIQL_CSP)
    directives = dict(part.split(" ", 1) for part in GRAPHIQL_CSP.split("; "))
    # Nothing from another origin, no inline script, no eval: only its own build's files.
    assert directives["script-src"] == "'self'" and "unsafe" not in directives["script-src"]
    assert all("http" not in value and "*" not in value for value in directives.values())
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
