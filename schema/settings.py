"""The one Settings object: read once at start from `conf/app.ini` and `PUSHNEST_*` variables.

Environment variables win over the ini file. Secrets that are not configured are generated once
and kept in the data directory (`secrets.json`, mode 0600); there is no built-in default secret.
Nothing else in PushNest reads the environment.
"""

from __future__ import annotations

import configparser
import ipaddress
import json
import os
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from schema.errors import ConfigError
from schema.files import FILE_MODE, narrow_if_present, private_dir

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DatabaseKind = Literal["sqlite", "mysql", "postgres"]
# Characters a path segment may hold without escaping (RFC 3986 unreserved), no "." or ".." segment.
_PREFIX_SEGMENTS = re.compile(r"(/(?!\.{1,2}(?:/|$))[A-Za-z0-9._~-]+)+")
# `postgresql://` is what libpq and most hosting panels print; both mean the asyncpg backend.
DATABASE_SCHEMES = ("sqlite://", "mysql://", "postgres://", "postgresql://")

# field name -> (ini section, ini key). The env name is always PUSHNEST_<FIELD NAME UPPER>.
INI_KEYS: dict[str, tuple[str, str]] = {
    "data_dir": ("app", "data_dir"),
    "log_level": ("app", "log_level"),
    "jwt_secret": ("app", "jwt_secret"),
    "secret_key": ("app", "secret_key"),
    "admin_password": ("app", "admin_password"),
    "jwt_ttl_minutes": ("app", "jwt_ttl_minutes"),
    "graphiql": ("app", "graphiql"),
    "introspection": ("app", "introspection"),
    "login_max_attempts": ("app", "login_max_attempts"),
    "login_window_seconds": ("app", "login_window_seconds"),
    "login_max_attempts_per_user": ("app", "login_max_attempts_per_user"),
    "api_key_max_failures": ("app", "api_key_max_failures"),
    "host": ("server", "host"),
    "port": ("server", "port"),
    "trusted_proxies": ("server", "trusted_proxies"),
    "allowed_origins": ("server", "allowed_origins"),
    "max_body_bytes": ("server", "max_body_bytes"),
    "console_dir": ("server", "console_dir"),
    "ws_check_seconds": ("server", "ws_check_seconds"),
    "path_prefix": ("server", "path_prefix"),
    "database_url": ("database", "url"),
    "db_lock_wait_seconds": ("database", "lock_wait_seconds"),
    "db_statement_seconds": ("database", "statement_seconds"),
    "redis_url": ("redis", "url"),
    "max_attempts": ("delivery", "max_attempts"),
    "retry_base_seconds": ("delivery", "retry_base_seconds"),
    "retry_max_seconds": ("delivery", "retry_max_seconds"),
    "lease_seconds": ("delivery", "lease_seconds"),
    "send_timeout_seconds": ("delivery", "send_timeout_seconds"),
    "concurrency": ("delivery", "concurrency"),
    "allow_private_targets": ("delivery", "allow_private_targets"),
    "max_message_bytes": ("delivery", "max_message_bytes"),
    "log_format": ("app", "log_format"),
    "retention_days": ("retention", "days"),
    "retention_max_messages": ("retention", "max_messages"),
    "inbox_retention_days": ("retention", "inbox_days"),
    "worker_metrics_port": ("delivery", "worker_metrics_port"),
    "otel_endpoint": ("otel", "endpoint"),
}
DEFAULT_CONFIG_FILE = Path("conf/app.ini")
_SECRETS_FILE = "secrets.json"
_GENERATED = ("jwt_secret", "secret_key")
_MIN_SECRET_LENGTH = 32
# Bounds of the retention settings, shared with the console's overrides (schema/services/site_settings.py).
# The message cap stops at GraphQL's Int (32-bit), which reports it.
MAX_RETENTION_DAYS = 36500
MAX_RETENTION_MESSAGES = 2_147_483_647


class Settings(BaseModel):
    """Validated configuration. Construct it with `load_settings()`, not directly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    jwt_secret: SecretStr
    secret_key: SecretStr
    admin_password: SecretStr | None = None
    jwt_ttl_minutes: int = Field(default=720, ge=5, le=60 * 24 * 30)
    graphiql: bool = True
    introspection: bool = True
    login_max_attempts: int = Field(default=10, ge=1, le=1000)
    login_window_seconds: int = Field(default=300, ge=10, le=86400)
    # Failed sign-ins per username from all addresses together, in the same window: slows a guess
    # spread over many addresses. Higher than the per-address limit, since anyone can spend it.
    login_max_attempts_per_user: int = Field(default=50, ge=1, le=100_000)
    # Unknown or revoked API keys per client address in the same window. Keys cannot be guessed;
    # this stops a flood (or a client stuck on a revoked key) and tells it to back off.
    api_key_max_failures: int = Field(default=100, ge=1, le=100_000)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    trusted_proxies: tuple[IPNetwork, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    # The built web console (`make console`): served at / when it holds an index.html.
    console_dir: Path = Path("frontend/dist")
    # Open WebSockets' credentials are checked again this often (password changes, deactivated
    # users, revoked keys made elsewhere); a socket whose credentials no longer hold is closed.
    ws_check_seconds: float = Field(default=15.0, gt=0, le=30)
    # Everything (GraphQL, WebSockets, REST compat, the console) answers under this path, e.g.
    # "/pushnest" behind a proxy that forwards https://example.com/pushnest/ unchanged. "" = the root.
    path_prefix: str = ""
    database_url: str = ""
    # MariaDB/MySQL: a statement waiting this long for a row or table lock, or running this long,
    # is stopped by the server and the caller gets UNAVAILABLE, instead of every request hanging
    # behind a held lock. Migrations run without these limits.
    db_lock_wait_seconds: int = Field(default=5, ge=1, le=3600)
    db_statement_seconds: float = Field(default=30.0, gt=0, le=86400)
    redis_url: str | None = None
    # Delivery: attempts per delivery, exponential backoff with jitter between them.
    max_attempts: int = Field(default=8, ge=1, le=50)
    retry_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    retry_max_seconds: float = Field(default=1800.0, gt=0, le=86400)
    # A claimed delivery not finished within this is taken to be lost with its worker and re-run.
    lease_seconds: int = Field(default=120, ge=5, le=3600)
    send_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    # Sends in flight per process.
    concurrency: int = Field(default=64, ge=1, le=2000)
    # Lets every webhook-like channel call private/loopback addresses (tests, internal networks).
    allow_private_targets: bool = False
    # Title + bodies of one send, in UTF-8 bytes.
    max_message_bytes: int = Field(default=262_144, ge=1024, le=16 * 1_048_576)
    # "json": one JSON object per log line, with trace_id / message_id / delivery_id when known.
    log_format: Literal["text", "json"] = "text"
    # Retention, applied hourly by the worker: sends (with their deliveries and attempts) older
    # than this many days, beyond this many newest sends, and inbox items older than this. 0 = no limit.
    # An admin can override each in the console (site settings); these are then the fallbacks.
    retention_days: int = Field(default=30, ge=0, le=MAX_RETENTION_DAYS)
    retention_max_messages: int = Field(default=1_000_000, ge=0, le=MAX_RETENTION_MESSAGES)
    inbox_retention_days: int = Field(default=90, ge=0, le=MAX_RETENTION_DAYS)
    # `pushnest worker` serves Prometheus metrics on this port when set.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # OpenTelemetry: traces and metrics go over OTLP/HTTP to this collector (its base URL, e.g.
    # http://otel-collector:4318); unset, OpenTelemetry is off. OTEL_EXPORTER_OTLP_ENDPOINT also
    # switches it on (schema/telemetry.py).
    otel_endpoint: str | None = None
    # Which of the secrets were generated into the data dir rather than configured (no ini key or
    # variable): `pushnest serve`/`worker` refuse them with Redis, where processes must share them.
    generated_secrets: tuple[str, ...] = ()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("worker_metrics_port", mode="before")
    @classmethod
    def _unset_port(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("otel_endpoint")
    @classmethod
    def _otel_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the collector's http:// or https:// base URL (OTLP over HTTP)")
        return value

    @field_validator("trusted_proxies", "allowed_origins", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(",", " ").split() if part.strip())
        return value

    @field_validator("jwt_secret", "secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < _MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {_MIN_SECRET_LENGTH} characters")
        return value

    @field_validator("path_prefix")
    @classmethod
    def _path_prefix(cls, value: str) -> str:
        prefix = "/" + value.strip().strip("/")
        if prefix == "/":
            return ""
        if not _PREFIX_SEGMENTS.fullmatch(prefix):
            raise ValueError(
                "must be a path like /pushnest: segments of letters, digits, '-', '_', '.' or '~'"
            )
        return prefix

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(DATABASE_SCHEMES):
            raise ValueError("must start with sqlite://, mysql:// or postgres://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value == "":
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @property
    def embedded(self) -> bool:
        """All-in-one mode: no Redis, the database is the queue."""
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_kind == "sqlite"

    @property
    def database_kind(self) -> DatabaseKind:
        """Which of the three supported databases the URL names."""
        return database_kind(self.database_url)


def database_kind(url: str) -> DatabaseKind:
    """sqlite, mysql (MySQL or MariaDB) or postgres, from a database URL's scheme."""
    scheme = url.split("://", 1)[0]
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    return "mysql" if scheme == "mysql" else "sqlite"


def env_name(field: str) -> str:
    return f"PUSHNEST_{field.upper()}"


def load_settings(environ: Mapping[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Read the ini file and the environment, generate missing secrets, validate everything."""
    env = os.environ if environ is None else environ
    path = config_file or Path(env.get("PUSHNEST_CONFIG", str(DEFAULT_CONFIG_FILE)))
    raw = _read_ini(path) | _read_env(env)
    # The standard OpenTelemetry variable switches tracing on too (PUSHNEST_OTEL_ENDPOINT wins).
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") and not raw.get("otel_endpoint"):
        raw["otel_endpoint"] = env["OTEL_EXPORTER_OTLP_ENDPOINT"]
    data_dir = Path(str(raw.get("data_dir", "data"))).expanduser().resolve()
    raw["data_dir"] = data_dir
    # Relative paths are taken from the working directory, like data_dir.
    raw["console_dir"] = Path(str(raw.get("console_dir", "frontend/dist"))).expanduser().resolve()
    # Absolute, because Tortoise reads `sqlite://` + the path that follows it.
    raw.setdefault("database_url", f"sqlite://{(data_dir / 'pushnest.db').as_posix()}")
    missing = [name for name in _GENERATED if not raw.get(name)]
    if missing:
        raw |= _stored_secrets(data_dir, missing)
        raw["generated_secrets"] = tuple(missing)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_ini(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    # No DEFAULT section: its keys would silently leak into every section.
    parser = configparser.ConfigParser(interpolation=None, default_section="\0")
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot parse: {exc}") from None
    known = {(section, key): field for field, (section, key) in INI_KEYS.items()}
    values: dict[str, Any] = {}
    for section in parser.sections():
        for key, value in parser.items(section):
            field = known.get((section.lower(), key.lower()))
            if field is None:
                raise ConfigError(f"{path}: unknown key [{section}] {key}")
            values[field] = value
    return values


def _read_env(env: Mapping[str, str]) -> dict[str, Any]:
    return {field: env[env_name(field)] for field in INI_KEYS if env_name(field) in env}


def _stored_secrets(data_dir: Path, names: list[str]) -> dict[str, str]:
    """Secrets kept in the data dir; generated on first use. Safe when two processes start at once."""
    private_dir(data_dir)
    path = data_dir / _SECRETS_FILE
    generated = {name: secrets.token_urlsafe(48) for name in _GENERATED}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        narrow_if_present(path)
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(generated, out)
    stored = _read_secrets_file(path)
    return {name: stored[name] for name in names if name in stored}


def _read_secrets_file(path: Path) -> dict[str, str]:
    # Another process may have created the file an instant ago and still be writing it.
    for _ in range(50):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            time.sleep(0.02)
            continue
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
        break
    raise ConfigError(f"{path}: not a JSON object of secrets; fix or delete it")


def _describe(exc: ValidationError, path: Path) -> str:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        section, key = INI_KEYS.get(field, ("?", field))
        lines.append(f"{env_name(field)} ([{section}] {key} in {path}): {error['msg']}")
    return "invalid configuration:\n  " + "\n  ".join(lines)
