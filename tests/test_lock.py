"""The lock files pin every dependency pyproject.toml declares, at a version it allows, with hashes.

Docker installs requirements.lock and `make install` (so CI) requirements-dev.lock, both with
`--require-hashes`; a dependency added or changed in pyproject.toml without `make lock` fails here
instead of in a Docker build.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (REPO / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared(*extras: str) -> list[Requirement]:
    names = [
        *PROJECT["dependencies"],
        *(d for extra in extras for d in PROJECT["optional-dependencies"][extra]),
    ]
    return [Requirement(d) for d in names]


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ("otel",)), ("requirements-dev.lock", ("otel", "dev"))]
)
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pinned = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_hashes_and_the_lock_names_no_machine_of_ours(lock: str) -> None:
    text = (REPO / lock).read_text()
    blocks = re.split(r"\\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "--index-url" not in text and "--find-links" not in text and "file://" not in text


def test_the_runtime_lock_holds_no_development_tool() -> None:
    assert not {"pytest", "mypy", "ruff", "pip-tools"} & pins("requirements.lock").keys()
