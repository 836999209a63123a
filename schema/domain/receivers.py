"""Per-receiver outcomes inside one delivery: who has the message, who refused it and why.

A delivery can carry several receivers (a WeChat binding's OpenIDs, a mail's recipients, a WeCom
app's users). The vendor may accept some and refuse others, or fail transiently for some after
others were served. A delivery therefore keeps one entry per receiver it has heard about:

- `accepted`: the vendor took it for this receiver. Never sent again (retries and `resendFailed`
  skip it), so nobody gets a second copy.
- `refused`: the vendor refused this receiver for good (unknown OpenID, 550 mailbox, invaliduser),
  with the vendor's reason. The delivery ends PARTIAL (some accepted) or FAILED (none), and
  `lastError` names them; `resendFailed` tries them again.
- `pending`: a transient failure for this receiver; the next attempt sends to it.

Pure data and rules, no I/O: channels report `ReceiverResult`s, the worker merges them into the
delivery's map (`merge`) and derives the delivery's end (`summary`). The map is stored as JSON on
the delivery row (`Delivery.receiver_outcomes`: receiver → {"outcome", "reason"}).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# How many refused receivers `lastError` names before it says "and N more".
_NAMED_IN_ERROR = 5


class ReceiverOutcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    PENDING = "pending"


@dataclass(frozen=True)
class ReceiverResult:
    """What the vendor said about one receiver in one attempt."""

    receiver: str
    outcome: ReceiverOutcome
    reason: str = ""


ReceiverMap = dict[str, dict[str, str]]


def merge(known: Mapping[str, Any] | None, results: Iterable[ReceiverResult]) -> ReceiverMap:
    """The delivery's map after this attempt: an accepted receiver stays accepted whatever follows."""
    merged: ReceiverMap = {str(k): dict(v) for k, v in (known or {}).items() if isinstance(v, Mapping)}
    for result in results:
        if merged.get(result.receiver, {}).get("outcome") == ReceiverOutcome.ACCEPTED:
            continue
        merged[result.receiver] = {"outcome": result.outcome.value, "reason": result.reason}
    return merged


def accepted(known: Mapping[str, Any] | None) -> frozenset[str]:
    """Receivers that already have the message: the ones never to send to again."""
    return frozenset(
        str(receiver)
        for receiver, entry in (known or {}).items()
        if isinstance(entry, Mapping) and entry.get("outcome") == ReceiverOutcome.ACCEPTED
    )


@dataclass(frozen=True)
class Summary:
    accepted: int
    refused: tuple[tuple[str, str], ...]  # (receiver, reason)

    @property
    def partial(self) -> bool:
        return self.accepted > 0 and bool(self.refused)

    def refused_text(self) -> str:
        """For `lastError`: who refused and why, the first few by name."""
        named = [f"{who} ({why})" if why else who for who, why in self.refused[:_NAMED_IN_ERROR]]
        more = len(self.refused) - len(named)
        tail = f" and {more} more" if more > 0 else ""
        total = self.accepted + len(self.refused)
        return f"refused by {len(self.refused)} of {total} receivers: {', '.join(named)}{tail}"


def summary(known: Mapping[str, Any] | None) -> Summary:
    entries = [(str(k), v) for k, v in (known or {}).items() if isinstance(v, Mapping)]
    return Summary(
        accepted=sum(1 for _, v in entries if v.get("outcome") == ReceiverOutcome.ACCEPTED),
        refused=tuple(
            (who, str(v.get("reason", "")))
            for who, v in entries
            if v.get("outcome") == ReceiverOutcome.REFUSED
        ),
    )
