"""The running PushNest's version, from the installed package's metadata (one place for the CLI's
`--version` and the console's About panel)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def pushnest_version() -> str:
    """The installed package's version ("unknown" when run from a checkout never installed)."""
    try:
        return version("pushnest")
    except PackageNotFoundError:
        return "unknown"
