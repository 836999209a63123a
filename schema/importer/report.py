"""What an import did (counts per kind, rows it could not map, notes) and a stderr progress bar."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

KINDS = (
    "channels",
    "tasks",
    "templates",
    "bindings",
    "cron_jobs",
    "inbox_items",
    "messages",
    "statistics",
    "audit_log",
    "settings",
    "users",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass
class ImportReport:
    """Counts per kind, one line per source row that could not be mapped, and general notes."""

    source: str = ""
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    unmapped: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def created(self, kind: str) -> None:
        self.counts[kind].created += 1

    def updated(self, kind: str) -> None:
        self.counts[kind].updated += 1

    def skipped(self, kind: str) -> None:
        self.counts[kind].skipped += 1

    def failed(self, kind: str, what: str, reason: str) -> None:
        """A source row that was not imported: `what` names it with its Message Nest id."""
        self.counts[kind].failed += 1
        self.unmapped.append(f"{what}: {reason}")

    def leave_out(self, what: str, why: str) -> None:
        """Source data not imported on purpose (nothing in PushNest needs it, or it would be wrong)."""
        line = f"{what}: {why}"
        if line not in self.left_out:
            self.left_out.append(line)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def render(self) -> str:
        head = f"Message Nest import from {self.source}" + (
            " (dry run: nothing was written)" if self.dry_run else ""
        )
        lines = [head, "", f"{'':<12} {'created':>8} {'updated':>8} {'unchanged':>10} {'not mapped':>11}"]
        for kind, c in self.counts.items():
            lines.append(f"{kind:<12} {c.created:>8} {c.updated:>8} {c.skipped:>10} {c.failed:>11}")
        if self.unmapped:
            lines += ["", f"Could not map ({len(self.unmapped)}):"] + [
                f"  - {line}" for line in self.unmapped
            ]
        if self.left_out:
            lines += ["", f"Left out on purpose ({len(self.left_out)}):"] + [
                f"  - {line}" for line in self.left_out
            ]
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {line}" for line in self.notes]
        return "\n".join(lines)


class Progress:
    """A carriage-return progress bar on stderr, shown only for kinds with many rows."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, min_total: int = 200) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = total >= min_total
        self.step = max(1, total // 50)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled and (self.done % self.step == 0 or self.done >= self.total):
            self._draw()

    def finish(self) -> None:
        if self.enabled:
            self.done = self.total
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        width = 30
        filled = width * self.done // self.total if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label:<12} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
