"""Per-channel-account send limits: exact sliding windows, shared through Redis or kept in process.

Vendors count requests in a rolling window ("20 per minute per robot": DingTalk answers the 21st
request within any 60 s with 410100 and bans the robot for 10 minutes). A token bucket with a
burst of 20 lets 40 sends through in some 60 s, so the limiter keeps the time of every send of
the last window instead, and grants a slot only while fewer than `count` sends fall inside it.
An account may have several windows at once (Feishu: 100 per minute and 5 per second); a slot is
taken in all of them or in none.

When a vendor still answers with its throttle code, the account is blocked outright for the wait
it asked for (`block`), for every worker at once. `next_free` answers, without taking anything,
when the next send may go: the console shows it, and issue 16/17's storm handling can read it.

Key layout in Redis (all under `pushnest:rate:`): a sorted set of send times (member = a random
id, score = Redis server time in ms) per account and window length, and a plain key with a TTL
while the vendor's ban lasts.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Sequence

from redis.asyncio import Redis

from schema.channels.base import RateLimit

# A send counts from when it starts, the vendor counts from when it arrives; a request that took
# long to arrive followed by one that arrived fast could land `count + 1` arrivals in the vendor's
# window. This much is added to each window to cover that jitter.
EDGE_GUARD_SECONDS = 0.25

# KEYS: the ban key, then one sorted set per window. ARGV: a member id, then count and length in
# ms per window, then 1 to take a slot or 0 to only look. Returns 0 (taken or free) or the ms to
# wait. Uses the Redis server's clock, so workers on machines with skewed clocks agree.
_WINDOWS = """
local banned = redis.call('PTTL', KEYS[1])
if banned > 0 then return banned end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local take = ARGV[#ARGV] == '1'
local wait = 0
for i = 2, #KEYS do
  local count = tonumber(ARGV[i * 2 - 2])
  local length = tonumber(ARGV[i * 2 - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - length)
  local used = redis.call('ZCARD', KEYS[i])
  if used >= count then
    -- the slot frees when the send `used - count` places from the oldest leaves the window
    local freeing = redis.call('ZRANGE', KEYS[i], used - count, used - count, 'WITHSCORES')
    wait = math.max(wait, tonumber(freeing[2]) + length - now, 1)
  end
end
if wait > 0 or not take then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i * 2 - 1]))
end
return 0
"""


class RedisRateLimiter:
    """The limiter for scale-out: every API process and worker reads and takes the same windows."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._windows = redis.register_script(_WINDOWS)

    async def acquire(self, key: str, windows: Sequence[RateLimit]) -> float:
        return await self._run(key, windows, take=True)

    async def next_free(self, key: str, windows: Sequence[RateLimit]) -> float:
        return await self._run(key, windows, take=False)

    async def block(self, key: str, seconds: float) -> None:
        await self._redis.set(_ban(key), "1", px=max(1, int(seconds * 1000)))

    async def _run(self, key: str, windows: Sequence[RateLimit], take: bool) -> float:
        args: list[str | int] = [secrets.token_hex(8)]
        for window in windows:
            args += [window.count, _window_ms(window)]
        args.append(1 if take else 0)
        keys = [_ban(key), *(_sends(key, window) for window in windows)]
        wait_ms = await self._windows(keys=keys, args=args)
        return int(wait_ms) / 1000


class MemoryRateLimiter:
    """The same windows for the all-in-one mode, where one process is the only sender.

    No method awaits before it has decided, so on one event loop each is atomic without a lock.
    """

    def __init__(self) -> None:
        self._sends: dict[tuple[str, int], deque[float]] = {}
        self._banned_until: dict[str, float] = {}

    async def acquire(self, key: str, windows: Sequence[RateLimit]) -> float:
        now = time.monotonic()
        wait = self._wait(key, windows, now)
        if wait == 0:
            for window in windows:
                self._sends.setdefault((key, _window_ms(window)), deque()).append(now)
        return wait

    async def next_free(self, key: str, windows: Sequence[RateLimit]) -> float:
        return self._wait(key, windows, time.monotonic())

    async def block(self, key: str, seconds: float) -> None:
        self._banned_until[key] = max(self._banned_until.get(key, 0.0), time.monotonic() + seconds)

    def _wait(self, key: str, windows: Sequence[RateLimit], now: float) -> float:
        banned = self._banned_until.get(key, 0.0) - now
        if banned > 0:
            return math.ceil(banned * 1000) / 1000
        self._banned_until.pop(key, None)
        wait = 0.0
        for window in windows:
            length = _window_ms(window) / 1000
            sends = self._sends.get((key, _window_ms(window)))
            if not sends:
                continue
            while sends and sends[0] <= now - length:
                sends.popleft()
            if len(sends) >= window.count:
                freeing = sends[len(sends) - window.count]
                wait = max(wait, freeing + length - now, 0.001)
        return math.ceil(wait * 1000) / 1000


def _window_ms(window: RateLimit) -> int:
    return int((window.per_seconds + EDGE_GUARD_SECONDS) * 1000)


def _sends(key: str, window: RateLimit) -> str:
    return f"pushnest:rate:{key}:{window.count}/{window.per_seconds}s"


def _ban(key: str) -> str:
    return f"pushnest:rate-block:{key}"
