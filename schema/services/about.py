"""What an admin's About panel shows: the running version, and this API process's age, memory,
database kind and mode. Read from the process itself: nothing here is stored."""

from __future__ import annotations

import platform
import resource
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.settings import DatabaseKind
from schema.version import pushnest_version

Mode = Literal["all-in-one", "scale-out"]
_STATUS = Path("/proc/self/status")


@dataclass(frozen=True)
class About:
    version: str
    python_version: str
    started_at: datetime
    uptime_seconds: int
    memory_bytes: int
    database: DatabaseKind
    mode: Mode


def about(principal: Principal, runtime: Runtime, now: datetime | None = None) -> About:
    """Admins only: the version and memory help an attacker more than a user."""
    principal.require_admin()
    now = now or datetime.now(UTC)
    settings = runtime.settings
    return About(
        version=pushnest_version(),
        python_version=platform.python_version(),
        started_at=runtime.started_at,
        uptime_seconds=max(0, int((now - runtime.started_at).total_seconds())),
        memory_bytes=resident_bytes(),
        database=settings.database_kind,
        mode="all-in-one" if settings.embedded else "scale-out",
    )


def resident_bytes() -> int:
    """This process's resident memory now (Linux), else the most it has held (getrusage)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # bytes on macOS, KiB elsewhere
