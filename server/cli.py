"""The `pushnest` command: serve, worker, migrate, export-schema, import-message-nest, reset-password."""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from schema.errors import ConfigError
from schema.logging_setup import configure_logging, uvicorn_log_config
from schema.settings import Settings, env_name, load_settings
from schema.version import pushnest_version

if TYPE_CHECKING:
    from starlette.applications import Starlette

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
_WS_MAX_BYTES = 1_048_576


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "export-schema":
        return _export_schema(args.output)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"pushnest: {exc.message}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if args.command in ("serve", "worker") and (refusal := _unshared_secrets(settings)):
        print(f"pushnest: {refusal}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "worker":
        return _worker(settings, args.burst)
    if args.command == "import-message-nest":
        return _import_message_nest(settings, args)
    if args.command == "reset-password":
        return _reset_password(settings, args.username, args.password_stdin)
    return _serve(settings, args.host, args.port)


def _unshared_secrets(settings: Settings) -> str | None:
    """With Redis, processes share the work: secrets generated into one data dir are that process's
    own, so another would fail every secret-bearing send ("cannot be decrypted") or every sign-in."""
    if settings.embedded or not settings.generated_secrets:
        return None
    names = " and ".join(env_name(name) for name in settings.generated_secrets)
    return (
        f"with PUSHNEST_REDIS_URL every process must share its secrets: set {names}, the same in every "
        f"process (generated ones in {settings.data_dir / 'secrets.json'} belong to this data dir alone)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pushnest",
        description="PushNest message push platform",
        epilog="Every command reads its configuration from conf/app.ini (or PUSHNEST_CONFIG) and "
        "PUSHNEST_* environment variables, which win; README.md lists them with their defaults.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {pushnest_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (and, with no Redis configured, everything else)")
    listen = Settings.model_fields
    serve.add_argument(
        "--host", help=f"where to listen (default: PUSHNEST_HOST, else {listen['host'].default})"
    )
    serve.add_argument(
        "--port",
        type=int,
        help=f"the port to listen on (default: PUSHNEST_PORT, else {listen['port'].default})",
    )
    worker = commands.add_parser("worker", help="run an ARQ delivery worker (needs PUSHNEST_REDIS_URL)")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    commands.add_parser("migrate", help="apply database migrations and exit")
    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("-o", "--output", type=Path, default=SCHEMA_FILE, help="where to write it")
    mn = commands.add_parser("import-message-nest", help="import a Message Nest database (idempotent)")
    mn.add_argument(
        "--from", dest="source", required=True, help="SQLite file path or mysql://user:pass@host:port/db"
    )
    mn.add_argument("--owner", default="admin", help="PushNest user who owns the imported rows")
    mn.add_argument("--inbox-user", default="admin", help="PushNest user who gets hosted (in-site) messages")
    mn.add_argument("--table-prefix", default="message_", help="Message Nest's table prefix")
    mn.add_argument("--dry-run", action="store_true", help="map and report, write nothing")
    reset = commands.add_parser(
        "reset-password", help="give a user a new password (printed once) and end their sessions"
    )
    reset.add_argument("username")
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from stdin instead of generating one",
    )
    for command in commands.choices.values():
        command.formatter_class = _WithDefaults
    return parser


class _WithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's help ends with its default, where it has one to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS):
            return action.help
        return super()._get_help_string(action)


def build_app(settings: Settings, lock: IO[str] | None = None) -> Starlette:
    """The composition root: the API, plus the in-process worker in the all-in-one mode (holding
    `lock`, the data dir's all-in-one lock, when the caller took it already)."""
    from server.app import create_app
    from workers.embedded import EmbeddedWorker

    if settings.redis_url:
        return create_app(settings)
    return create_app(settings, in_process_worker=functools.partial(EmbeddedWorker, lock=lock))


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    from schema import telemetry
    from workers.embedded import AlreadyRunning, hold_single_process_lock

    lock = None
    if settings.embedded:
        # Taken before anything starts, so a second all-in-one process is refused in one line.
        try:
            lock = hold_single_process_lock(settings)
        except AlreadyRunning as exc:
            print(f"pushnest: {exc}", file=sys.stderr)
            return 2
    stop_telemetry = telemetry.start(settings, "pushnest" if settings.embedded else "pushnest-api")
    try:
        _run_uvicorn(settings, host, port, lock)
    finally:
        stop_telemetry()
    return 0


def _run_uvicorn(settings: Settings, host: str | None, port: int | None, lock: IO[str] | None) -> None:
    import uvicorn

    uvicorn.run(
        build_app(settings, lock),
        host=host or settings.host,
        port=port or settings.port,
        # PushNest reads X-Forwarded-For itself, from PUSHNEST_TRUSTED_PROXIES only.
        proxy_headers=False,
        server_header=False,
        ws_max_size=_WS_MAX_BYTES,
        # What "auto" picks today, pinned: its send completes without waiting when the socket has
        # room, which subscription fan-out relies on (server/graphql_ws.py); measured per frame
        # to 2,000 subscribers: ~41 us, against ~60 (wsproto) and ~72 (legacy websockets).
        ws="websockets-sansio",
        # permessage-deflate keeps a zlib state per socket (measured: 86 KB against 45 KB per idle
        # subscriber at 2,000 subscribers); events are small, so memory matters more than bytes.
        ws_per_message_deflate=False,
        log_level=settings.log_level.lower(),
        # JSON logs: no config of uvicorn's own, so its loggers propagate to the root (JSON) handler.
        # Text: uvicorn's handlers, with the same credential redaction as the root's.
        log_config=None if settings.log_format == "json" else uvicorn_log_config(),
    )


def _worker(settings: Settings, burst: bool) -> int:
    from schema import telemetry
    from workers.arq_worker import run

    stop_telemetry = telemetry.start(settings, "pushnest-worker")
    try:
        return run(settings, burst=burst)
    except ValueError as exc:
        print(f"pushnest: {exc}", file=sys.stderr)
        return 2
    finally:
        stop_telemetry()


def _migrate(settings: Settings) -> int:
    from schema.db import close_database, open_database

    async def run() -> None:
        await open_database(settings)
        await close_database()

    asyncio.run(run())
    print("pushnest: database is up to date")
    return 0


def _import_message_nest(settings: Settings, args: argparse.Namespace) -> int:
    from schema.crypto import SecretBox
    from schema.db import close_database, open_database
    from schema.importer import ImportReport, import_message_nest
    from schema.importer.source import ImportFailed

    async def run() -> ImportReport:
        await open_database(settings)
        try:
            box = SecretBox(settings.secret_key.get_secret_value())
            return await import_message_nest(
                args.source,
                box,
                args.owner,
                args.inbox_user,
                args.dry_run,
                args.table_prefix,
                allow_private_targets=settings.allow_private_targets,
            )
        finally:
            await close_database()

    try:
        report = asyncio.run(run())
    except ImportFailed as exc:
        print(f"pushnest: import failed: {exc}", file=sys.stderr)
        return 1
    print(report.render())
    return 0


def _reset_password(settings: Settings, username: str, from_stdin: bool) -> int:
    from schema.crypto import random_password
    from schema.db import close_database, open_database
    from schema.errors import PushNestError
    from schema.services.users import reset_password

    # One line, without its line break: `echo "$PW" | pushnest reset-password admin --password-stdin`.
    password = sys.stdin.readline().rstrip("\r\n") if from_stdin else random_password()

    async def run() -> bool:
        await open_database(settings)
        try:
            active = (await reset_password(username, password)).is_active
        finally:
            await close_database()
        await _announce_callers_changed(settings)
        return active

    try:
        active = asyncio.run(run())
    except PushNestError as exc:
        print(f"pushnest: {exc.message}", file=sys.stderr)
        return 1
    print(f"pushnest: {username!r} has a new password; every session of theirs has ended.", file=sys.stderr)
    if not active:
        print(
            f"pushnest: {username!r} is switched off; an admin must switch the account on.", file=sys.stderr
        )
    if not from_stdin:
        print("pushnest: the new password, shown only this once:", file=sys.stderr)
        print(password, flush=True)
    return 0


async def _announce_callers_changed(settings: Settings) -> None:
    """API processes on Redis forget cached sign-ins at once; an all-in-one server within its
    cache's TTL (schema/services/caches.py)."""
    if not settings.redis_url:
        return
    from redis.asyncio import Redis

    from schema.bus import RedisEventBus
    from schema.events import ChangeEvent
    from schema.services.caches import CALLERS

    redis = Redis.from_url(settings.redis_url)
    try:
        await RedisEventBus(redis).publish_change(ChangeEvent(CALLERS))
    except Exception as exc:  # the password is changed; cached sign-ins end with their TTL
        print(f"pushnest: could not tell running servers at once ({type(exc).__name__})", file=sys.stderr)
    finally:
        await redis.aclose()


def _export_schema(output: Path) -> int:
    from schema.graphql.build import build_schema

    output.write_text(build_schema().as_str() + "\n", encoding="utf-8")
    print(f"pushnest: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
