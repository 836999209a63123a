"""Counting sign-in attempts per key (client address, username, user), in-process or in Redis.

An attempt is *reserved* before the password is checked, atomically: N concurrent guesses get at
most `max_attempts` checks and the rest wait, however fast they arrive (counting failures after
the check let 50 concurrent guesses all through). A success gives its slot back.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from schema.errors import TooManyRequests
from schema.settings import Settings


class Throttle(Protocol):
    """At most `max_attempts` reservations per key within a window."""

    async def reserve(self, key: str) -> int:
        """Take a slot: 0 if one was free, else the seconds until one frees up (nothing taken)."""
        ...

    async def release(self, key: str) -> None:
        """Give back a slot taken by `reserve` (the attempt succeeded)."""
        ...


class MemoryThrottle:
    """For the all-in-one mode: one process, so recent reservation times per key are the truth.

    `reserve` never awaits, so on one event loop it is atomic without a lock.
    """

    def __init__(self, max_attempts: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self._max = max_attempts
        self._window = window_seconds
        self._max_keys = max_keys
        self._taken: dict[str, deque[float]] = {}

    async def reserve(self, key: str) -> int:
        times = self._recent(key)
        if len(times) >= self._max:
            return max(1, math.ceil(times[0] + self._window - time.monotonic()))
        if key not in self._taken and len(self._taken) >= self._max_keys:
            # A flood of addresses or names must not grow memory without bound: forget quiet keys.
            for stale in [k for k in list(self._taken) if not self._recent(k)]:
                self._taken.pop(stale, None)
        self._taken.setdefault(key, deque()).append(time.monotonic())
        return 0

    async def release(self, key: str) -> None:
        times = self._taken.get(key)
        if times:
            times.pop()
        if not times:
            self._taken.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._taken.get(key, deque())
        cutoff = time.monotonic() - self._window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._taken.pop(key, None)
        return times


# One round trip, atomic: count the attempt, start the window on the first one, and undo the
# count when over the limit (so the counter holds taken slots only, and a release frees one).
_RESERVE = """
local taken = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
if taken <= tonumber(ARGV[1]) then
  return 0
end
redis.call('DECR', KEYS[1])
return math.max(1, redis.call('TTL', KEYS[1]))
"""
# Gives a slot back only while the window's counter exists: a DECR after it expired would leave
# a counter of -1 without a TTL, i.e. one extra attempt forever.
_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisThrottle:
    """For several API processes: a fixed-window counter per key, taken and compared in one script."""

    def __init__(self, redis: Redis, prefix: str, max_attempts: int, window_seconds: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._max = max_attempts
        self._window = window_seconds
        self._reserve = redis.register_script(_RESERVE)
        self._release = redis.register_script(_RELEASE)

    async def reserve(self, key: str) -> int:
        wait = await self._reserve(keys=[self.name(key)], args=[self._max, self._window])
        return int(wait)

    async def release(self, key: str) -> None:
        await self._release(keys=[self.name(key)])

    def name(self, key: str) -> str:
        return f"pushnest:{self._prefix}:{key}"


@dataclass(frozen=True)
class Reservation:
    """Slots taken for one attempt; `release` gives them all back when it succeeds."""

    slots: tuple[tuple[Throttle, str], ...] = ()

    async def release(self) -> None:
        for throttle, key in self.slots:
            await throttle.release(key)


@dataclass(frozen=True)
class AuthThrottles:
    """The throttles in front of every credential check, with the settings' limits."""

    # Sign-ins per client address, and per username from all addresses together.
    address: Throttle
    username: Throttle
    # Wrong current passwords per user (changePassword).
    password: Throttle
    # Unknown, revoked or expired API keys per client address.
    api_key: Throttle

    @classmethod
    def in_memory(cls, settings: Settings) -> AuthThrottles:
        limit, window = settings.login_max_attempts, settings.login_window_seconds
        return cls(
            address=MemoryThrottle(limit, window),
            username=MemoryThrottle(settings.login_max_attempts_per_user, window),
            password=MemoryThrottle(limit, window),
            api_key=MemoryThrottle(settings.api_key_max_failures, window),
        )

    @classmethod
    def in_redis(cls, redis: Redis, settings: Settings) -> AuthThrottles:
        limit, window = settings.login_max_attempts, settings.login_window_seconds
        return cls(
            address=RedisThrottle(redis, "login-address", limit, window),
            username=RedisThrottle(redis, "login-user", settings.login_max_attempts_per_user, window),
            password=RedisThrottle(redis, "password-check", limit, window),
            api_key=RedisThrottle(redis, "api-key-address", settings.api_key_max_failures, window),
        )

    async def reserve_login(self, ip: str, username: str) -> Reservation:
        """A slot for this address and for this username (case-folded: MariaDB compares them so)."""
        return await _reserve_all(
            [
                (self.address, ip or "unknown", "from this address"),
                (self.username, username.lower(), "for this username"),
            ],
            "sign-ins",
        )

    async def reserve_password_check(self, user_id: int) -> Reservation:
        return await _reserve_all([(self.password, str(user_id), "")], "password checks")

    async def api_key_failed(self, ip: str) -> int:
        """Count an unknown, revoked or expired key from this address; seconds to wait once over the limit.

        Counted after the lookup, not before: keys carry 256 random bits, so there is nothing to
        guess, and a valid key from an address shared with a misconfigured client keeps working.
        """
        return await self.api_key.reserve(ip or "unknown")


async def _reserve_all(slots: list[tuple[Throttle, str, str]], what: str) -> Reservation:
    taken: list[tuple[Throttle, str]] = []
    for throttle, key, where in slots:
        wait = await throttle.reserve(key)
        if wait:
            await Reservation(tuple(taken)).release()  # this attempt is refused, not checked
            about = " ".join(part for part in (what, where) if part)
            raise TooManyRequests(f"too many failed {about}; try again in {wait}s", wait)
        taken.append((throttle, key))
    return Reservation(tuple(taken))
