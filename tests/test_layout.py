"""The packages under test are this checkout's, and the committed SDL matches the code."""

from __future__ import annotations

from pathlib import Path

import pytest

import schema
import server
import workers
from schema.graphql.build import build_schema

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", [schema, server, workers], ids=lambda p: p.__name__)
def test_packages_come_from_this_repository(package: object) -> None:
    location = Path(package.__file__).resolve()  # type: ignore[attr-defined]
    assert location.is_relative_to(REPO_ROOT), f"{package!r} imported from {location}, not {REPO_ROOT}"
    assert location == REPO_ROOT / package.__name__ / "__init__.py"  # type: ignore[attr-defined]


def test_committed_schema_is_current() -> None:
    committed = (REPO_ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == build_schema().as_str() + "\n", (
        "schema/schema.graphql is out of date: run `pushnest export-schema`"
    )


def test_channel_modules_never_import_each_other() -> None:
    """Shared channel code lives in shared modules (http, http_status, masking, markup, wecom_api…)."""
    from schema.channels.registry import all_channel_types

    channel_modules = {kind.key for kind in all_channel_types()}
    folder = REPO_ROOT / "schema" / "channels"
    for name in sorted(channel_modules):
        source = (folder / f"{name}.py").read_text(encoding="utf-8")
        for other in channel_modules - {name}:
            assert f"schema.channels.{other} import" not in source, f"{name} imports from {other}"
            assert f"from schema.channels import {other}" not in source, f"{name} imports {other}"
