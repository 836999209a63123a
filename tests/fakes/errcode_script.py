"""What a `{errcode, errmsg}` vendor's fake (DingTalk, WeCom) answers next, as a test scripted it.

A fault is scoped to one robot token / API path, or (scope None) hits the next call of any.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fault:
    scope: str | None
    status: int = 200
    hang: float = 0.0
    errcode: int = 0
    errmsg: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class ErrcodeScript:
    """`fail`/`hang`/`answer`/`throttle` queue faults; the fake `take`s the next one for a call."""

    # The vendor's own throttling answer; it sends no wait.
    THROTTLED: tuple[int, str] = (0, "")

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def fail(self, status: int = 500, times: int = 1, scope: str | None = None) -> None:
        self._faults += [Fault(scope, status=status)] * times

    def hang(self, seconds: float, times: int = 1, scope: str | None = None) -> None:
        self._faults += [Fault(scope, hang=seconds)] * times

    def answer(self, errcode: int, errmsg: str, times: int = 1, scope: str | None = None) -> None:
        self._faults += [Fault(scope, errcode=errcode, errmsg=errmsg)] * times

    def throttle(self, times: int = 1, retry_after: float | None = None, scope: str | None = None) -> None:
        """Answer the vendor's throttling errcode; `retry_after` adds a Retry-After header (a test aid)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        errcode, errmsg = self.THROTTLED
        self._faults += [Fault(scope, errcode=errcode, errmsg=errmsg, headers=headers)] * times

    def take(self, scope: str) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if fault.scope in (None, scope):
                return self._faults.pop(index)
        return None
