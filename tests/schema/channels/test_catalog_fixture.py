"""The console's channel catalog fixture is the one the backend's declarations make today.

The console checks its channel words against that fixture (frontend/src/features/channels/
catalog.test.ts); a channel type or field added without regenerating it would pass every test and
show English labels in the Chinese console.
"""

from __future__ import annotations

from pathlib import Path

from schema.channels.catalog import FIXTURE, catalog_json

REPO = Path(__file__).resolve().parents[3]


def test_the_console_catalog_fixture_is_current() -> None:
    committed = (REPO / FIXTURE).read_text(encoding="utf-8")
    assert committed == catalog_json(), f"{FIXTURE} is stale: run `make channel-catalog`"
