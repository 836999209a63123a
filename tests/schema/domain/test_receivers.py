"""Per-receiver outcomes: merging attempts, and what a delivery's map adds up to."""

from __future__ import annotations

from schema.domain.receivers import ReceiverOutcome, ReceiverResult, accepted, merge, summary

ACCEPTED, REFUSED, PENDING = ReceiverOutcome.ACCEPTED, ReceiverOutcome.REFUSED, ReceiverOutcome.PENDING


def test_an_accepted_receiver_stays_accepted() -> None:
    first = merge(None, [ReceiverResult("a", ACCEPTED), ReceiverResult("b", PENDING, "busy")])
    second = merge(first, [ReceiverResult("a", REFUSED, "late echo"), ReceiverResult("b", ACCEPTED)])
    assert accepted(second) == {"a", "b"}
    assert summary(second).refused == () and not summary(second).partial


def test_refused_receivers_are_named_with_their_reason() -> None:
    known = merge(
        {}, [ReceiverResult("a", ACCEPTED), *(ReceiverResult(f"r{n}", REFUSED, "550") for n in range(7))]
    )
    seen = summary(known)
    assert seen.partial and seen.accepted == 1
    assert seen.refused_text() == (
        "refused by 7 of 8 receivers: r0 (550), r1 (550), r2 (550), r3 (550), r4 (550) and 2 more"
    )
