"""The README, the licence and bench/ tell the truth where a test can tell: every `make` target
they name exists, every variable the tests read is documented, the declared licence is the one
shipped, and the benchmark reads nothing from outside the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "bench/README.md")


def makefile_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, flags=re.MULTILINE))


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_named_exists(doc: str) -> None:
    named = set(re.findall(r"`make ([a-z][a-z0-9-]*)", (REPO_ROOT / doc).read_text(encoding="utf-8")))
    assert named, doc
    assert named <= makefile_targets(), (
        f"{doc} names targets the Makefile lacks: {named - makefile_targets()}"
    )


def test_every_variable_the_tests_read_is_documented() -> None:
    sources = [
        *(REPO_ROOT / "tests").rglob("*.py"),
        REPO_ROOT / "frontend/playwright.config.ts",
        REPO_ROOT / "Makefile",
    ]
    read = {
        name for path in sources for name in re.findall(r"PUSHNEST_(?:TEST|E2E)_[A-Z_]+", path.read_text())
    }
    read.discard("PUSHNEST_TEST_")  # this very pattern
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert read and {name for name in read if name not in readme} == set()


def test_the_declared_licence_is_the_one_shipped() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # An SPDX string, not the table setuptools deprecates.
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPO_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_benchmark_reads_nothing_from_outside_the_repository() -> None:
    for path in (REPO_ROOT / "bench").iterdir():
        if path.suffix not in (".py", ".conf", ".md"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])(?:/work|/home|/root|~)/", text), f"{path.name} names a path outside"
        for named in re.findall(r"bench/([\w.-]+\.(?:conf|py))", text):
            assert (REPO_ROOT / "bench" / named).is_file(), (
                f"{path.name} names bench/{named}, which is missing"
            )
