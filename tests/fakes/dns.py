"""A DNS that answers what the test says, as the policy's `Resolve` and as an aiohttp resolver.

Each name has a list of answers used in order (the last one repeats), so a test can make a name
look public when it is checked and private when it is looked up again (DNS rebinding). `lookups`
counts the questions, to show that one send asks once.
"""

from __future__ import annotations

import socket
from collections import Counter

from aiohttp.abc import AbstractResolver, ResolveResult


class FakeDns(AbstractResolver):
    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self._answers = {host: list(script) for host, script in answers.items()}
        self.lookups: Counter[str] = Counter()

    def answer(self, host: str) -> list[str]:
        self.lookups[host] += 1
        script = self._answers.get(host)
        if not script:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} not found")
        return script.pop(0) if len(script) > 1 else script[0]

    async def __call__(self, host: str, port: int) -> list[str]:
        return self.answer(host)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.answer(host)
        ]

    async def close(self) -> None:
        return None
