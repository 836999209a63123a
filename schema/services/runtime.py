"""What the services need from the process they run in, built once at start-up and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from schema.crypto import SecretBox
from schema.services.throttle import LoginThrottle, MemoryLoginThrottle
from schema.settings import Settings
from schema.tokens import TokenIssuer


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    secret_box: SecretBox
    tokens: TokenIssuer
    login_throttle: LoginThrottle


def build_runtime(settings: Settings, login_throttle: LoginThrottle | None = None) -> Runtime:
    return Runtime(
        settings=settings,
        secret_box=SecretBox(settings.secret_key.get_secret_value()),
        tokens=TokenIssuer(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_minutes * 60),
        login_throttle=login_throttle
        or MemoryLoginThrottle(settings.login_max_attempts, settings.login_window_seconds),
    )
