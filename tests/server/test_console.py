"""Serving the built console from a temporary dist dir: caching, SPA fallback, traversal, not built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from schema.settings import Settings
from server.app import create_app
from server.console import IMMUTABLE, NO_CACHE, SHORT_CACHE, with_base

INDEX = "<!doctype html><title>PushNest console</title><div id=app></div>"
GRAPHIQL = "<!doctype html><title>PushNest GraphiQL</title><div id=graphiql></div>"
SCRIPT = "console.log('app');\n" * 200  # > 1 KB, so it is worth compressing


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "app-abc123.js").write_text(SCRIPT)
    (root / "assets" / "tiny-1.css").write_text("a{}")
    (root / "favicon.svg").write_text("<svg/>")
    (root / "graphiql.html").write_text(GRAPHIQL)
    (root / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("not for you")
    return root


async def _client(settings: Settings, console_dir: Path) -> httpx.AsyncClient:
    # No lifespan: these routes need neither the database nor the runtime.
    app = create_app(settings.model_copy(update={"console_dir": console_dir}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")


@pytest.fixture
async def console(settings: Settings, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(settings, dist) as client:
        yield client


async def test_hashed_assets_are_cached_for_a_year(console: httpx.AsyncClient) -> None:
    response = await console.get("/assets/app-abc123.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["cache-control"] == IMMUTABLE
    assert "javascript" in response.headers["content-type"]


async def test_a_missing_asset_is_a_404_not_index_html(console: httpx.AsyncClient) -> None:
    for path in ("/assets/app-old999.js", "/assets/", "/assets", "/assets/sub/x.js"):
        response = await console.get(path)
        assert response.status_code == 404, path
        assert INDEX not in response.text


async def test_client_routes_get_index_html_uncached(console: httpx.AsyncClient) -> None:
    for path in ("/", "/messages/12", "/settings/users", "/index.html", "/no-such-file.js", "/apiary"):
        response = await console.get(path)
        assert response.status_code == 200, path
        assert response.text == with_base(INDEX, "")
        assert response.headers["cache-control"] == NO_CACHE
        assert response.headers["content-type"].startswith("text/html")
    assert (await console.head("/messages/12")).status_code == 200
    assert (await console.post("/messages/12")).status_code == 405


async def test_graphiql_is_served_from_the_build_at_graphql_for_browsers(console: httpx.AsyncClient) -> None:
    page = await console.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and page.text == GRAPHIQL
    assert page.headers["cache-control"] == NO_CACHE
    # Only there: under its file name it would get the console's policy, which its editor breaks.
    assert (await console.get("/graphiql.html")).text == with_base(INDEX, "")


async def test_graphiql_can_be_switched_off(settings: Settings, dist: Path) -> None:
    app = create_app(settings.model_copy(update={"console_dir": dist, "graphiql": False}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console.test"
    ) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404 and GRAPHIQL not in page.text


async def test_top_level_files_are_served_with_a_short_cache(console: httpx.AsyncClient) -> None:
    response = await console.get("/favicon.svg")
    assert response.status_code == 200 and response.text == "<svg/>"
    assert response.headers["cache-control"] == SHORT_CACHE


async def test_api_paths_never_fall_back_to_the_console(console: httpx.AsyncClient) -> None:
    assert (await console.get("/healthz")).json() == {"status": "ok"}
    for path in ("/api/nothing", "/api/v1/message/send", "/graphql/extra", "/metrics/x", "/readyz/x"):
        response = await console.get(path)
        assert response.status_code in (404, 405), path
        assert INDEX not in response.text


@pytest.mark.parametrize(
    "raw_path",
    [
        "/assets/..%2f..%2foutside.txt",
        "/assets/%2e%2e/%2e%2e/outside.txt",
        "/assets/..%2findex.html",
        "/..%2foutside.txt",
        "/%2e%2e/outside.txt",
        "/.env",
        "/%2eenv",
        "/..",
        "/favicon.svg%00.js",
    ],
)
async def test_no_path_leaves_the_dist_dir_or_shows_hidden_files(
    console: httpx.AsyncClient, raw_path: str
) -> None:
    response = await console.send(
        console.build_request("GET", httpx.URL("http://console.test", path=raw_path))
    )
    assert "not for you" not in response.text
    assert "SECRET" not in response.text
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.text == with_base(INDEX, "")


async def test_assets_are_gzipped_when_large_enough(console: httpx.AsyncClient) -> None:
    response = await console.get("/assets/app-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == SCRIPT  # httpx decoded it
    assert int(response.headers.get("content-length", len(response.content))) < len(SCRIPT)
    small = await console.get("/assets/tiny-1.css", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_without_a_build_the_root_says_so_and_the_api_works(settings: Settings, tmp_path: Path) -> None:
    async with await _client(settings, tmp_path / "never-built") as client:
        for path in ("/", "/messages/12"):
            response = await client.get(path)
            assert response.status_code == 404
            assert "has not been built" in response.text and "make console" in response.text
            assert response.headers["content-type"].startswith("text/html")
        assert (await client.get("/assets/app-abc123.js")).status_code == 404
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_a_console_built_after_start_is_served(settings: Settings, tmp_path: Path) -> None:
    later = tmp_path / "later"
    async with await _client(settings, later) as client:
        assert (await client.get("/")).status_code == 404
        (later / "assets").mkdir(parents=True)
        (later / "index.html").write_text(INDEX)
        (later / "assets" / "app-abc123.js").write_text(SCRIPT)
        assert (await client.get("/")).text == with_base(INDEX, "")
        assert (await client.get("/assets/app-abc123.js")).status_code == 200
