"""The built web console (Vite's `dist/`): hashed assets, top-level files, and index.html for client routes.

Looked up on every request, so building the console while `pushnest serve` runs needs no restart.
Until there is an index.html, pages answer with a short note saying how to build it.

The build refers to its files relatively (Vite's `base: './'`), so one build serves any path
prefix: index.html is given a `<base href>` naming the prefix, which the browser resolves the
assets against and the console's router and API client read (`document.baseURI`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server.security_headers import GRAPHIQL_CSP

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
NO_CACHE = "no-cache"
# First path segments that never fall back to index.html: the API's, and the assets directory.
RESERVED = frozenset({"graphql", "api", "healthz", "readyz", "metrics", "assets"})
# GraphiQL's page in the same build (frontend/graphiql.html): served at GET /graphql, never as a file.
GRAPHIQL_PAGE = "graphiql.html"

# Unstyled: the Content-Security-Policy (server/security_headers.py) allows no inline style.
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PushNest</title></head>
<body>
<h1>PushNest is running, but its web console has not been built</h1>
<p>Build it with <code>make console</code> in the PushNest repository (or point
<code>PUSHNEST_CONSOLE_DIR</code> at a built console); this page then becomes the console.</p>
<p>The API works meanwhile: GraphQL at <a href="{prefix}/graphql">{prefix}/graphql</a>, health at
<a href="{prefix}/healthz">{prefix}/healthz</a>.</p>
</body></html>
"""


GRAPHIQL_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PushNest GraphiQL</title></head>
<body>
<h1>GraphiQL is part of the web console's build, which is missing</h1>
<p>Build it with <code>make console</code> in the PushNest repository (or point
<code>PUSHNEST_CONSOLE_DIR</code> at a built console). The API answers at this address meanwhile.</p>
</body></html>
"""


def graphiql_page(console_dir: Path) -> Response:
    """GraphiQL as built with the console: every file it loads comes from this server."""
    page = console_dir / GRAPHIQL_PAGE
    if not page.is_file():
        return HTMLResponse(GRAPHIQL_NOT_BUILT, status_code=404, headers={"Cache-Control": NO_CACHE})
    return FileResponse(page, headers={"Cache-Control": NO_CACHE, "Content-Security-Policy": GRAPHIQL_CSP})


class AssetFiles(StaticFiles):
    """Vite's hashed files: a name changes whenever its content does, so browsers keep them a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    async def check_config(self) -> None:
        # No assets directory (console not built yet) means 404s, not a server error.
        return None


def console_routes(console_dir: Path, prefix: str = "") -> list[BaseRoute]:
    """Mount after every API route: the last one answers any GET path the API does not."""
    not_built = NOT_BUILT.replace("{prefix}", prefix)

    async def page(request: Request) -> Response:
        path = str(request.path_params["path"])
        if path.split("/", 1)[0] in RESERVED:
            raise HTTPException(status_code=404)
        index = console_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(not_built, status_code=404, headers={"Cache-Control": NO_CACHE})
        top = _top_level_file(console_dir, path)
        if top is not None and top != index:
            return FileResponse(top, headers={"Cache-Control": SHORT_CACHE})
        return HTMLResponse(
            with_base(index.read_text(encoding="utf-8"), prefix), headers={"Cache-Control": NO_CACHE}
        )

    return [
        Mount("/assets", app=AssetFiles(directory=console_dir / "assets", check_dir=False)),
        Route("/{path:path}", page, methods=["GET"]),
    ]


def _top_level_file(console_dir: Path, name: str) -> Path | None:
    """`favicon.svg` and the like: a plain name directly in dist, never a path or a hidden file."""
    if not name or name.startswith(".") or any(c in name for c in "/\\") or not name.isprintable():
        return None
    if name == GRAPHIQL_PAGE:
        return None
    candidate = console_dir / name
    return candidate if candidate.is_file() else None


_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.IGNORECASE)


def with_base(page: str, prefix: str) -> str:
    """index.html with `<base href="{prefix}/">` first in its head (the prefix is validated to hold
    only unreserved URL characters, so it needs no escaping)."""
    base = f'<base href="{prefix}/">'
    found = _HEAD.search(page) or _DOCTYPE.search(page)  # HTML may leave out <head>, never the doctype
    at = found.end() if found else 0
    return page[:at] + base + page[at:]
