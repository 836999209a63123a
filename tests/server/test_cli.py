"""The `pushnest` command as a user runs it: a real process, a real port, real stderr."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port

PUSHNEST = [sys.executable, "-m", "server.cli"]
REPO = Path(__file__).resolve().parents[2]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")}
    env |= {"PUSHNEST_DATA_DIR": str(data_dir), "PUSHNEST_CONFIG": str(data_dir / "app.ini")} | extra
    return env


def serve_until_ready(env: dict[str, str], port: int, umask: int = -1) -> tuple[subprocess.Popen[str], float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [*PUSHNEST, "serve", "--port", str(port)],
        env=env,
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        umask=umask,
    )
    deadline = started + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc, time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.kill()
    raise AssertionError("pushnest serve did not become ready in 30 s")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=15)
    return err


def test_first_start_prints_a_generated_admin_password_once(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    port = free_port()
    proc, _ = serve_until_ready(env, port)
    login = 'mutation($p: String!) { login(username: "admin", password: $p) { user { username role } } }'
    try:
        err = stop(proc)
        match = re.search(r"with the password: (\S+)", err)
        assert match, err
        password = match.group(1)
        proc, _ = serve_until_ready(env, port)
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": login, "variables": {"p": password}},
            timeout=10,
        ).json()
        assert body["data"]["login"]["user"] == {"username": "admin", "role": "ADMIN"}
    finally:
        second = stop(proc)
    assert "with the password" not in second
    secrets_file = tmp_path / "secrets.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600


def modes(data_dir: Path) -> dict[str, int]:
    """Every path under the data dir (and the dir itself, as "."), with its permission bits."""
    found = {".": stat.S_IMODE(data_dir.stat().st_mode)}
    found |= {str(p.relative_to(data_dir)): stat.S_IMODE(p.stat().st_mode) for p in data_dir.rglob("*")}
    return found


def test_the_data_dir_is_0700_and_everything_in_it_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = clean_env(
        data_dir, PUSHNEST_CONFIG=str(tmp_path / "app.ini"), PUSHNEST_ADMIN_PASSWORD="a-password-1"
    )
    port = free_port()
    proc, _ = serve_until_ready(env, port, umask=0o022)  # the usual umask: 0755 dirs, 0644 files
    try:
        login = 'mutation { login(username: "admin", password: "a-password-1") { token } }'
        assert (
            "token" in httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": login}, timeout=10).text
        )
        found = modes(data_dir)
    finally:
        stop(proc)
    assert {"pushnest.db", "secrets.json", "all-in-one.lock", "pushnest.db.migrate.lock"} <= set(found)
    assert found == {".": 0o700} | {name: 0o600 for name in found if name != "."}


def test_files_an_older_version_left_open_are_narrowed_on_start(tmp_path: Path) -> None:
    env = clean_env(tmp_path, PUSHNEST_ADMIN_PASSWORD="a-password-1")
    subprocess.run(
        [*PUSHNEST, "migrate"], env=env, cwd=REPO, check=True, capture_output=True, timeout=60, umask=0o022
    )
    for path in (tmp_path, *tmp_path.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    port = free_port()
    proc, _ = serve_until_ready(env, port, umask=0o022)
    stop(proc)
    found = modes(tmp_path)
    assert found["."] == 0o700
    assert found["pushnest.db"] == found["secrets.json"] == found["all-in-one.lock"] == 0o600


def test_a_bad_setting_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text("[server]\nport = 99999\n")
    result = subprocess.run(
        [*PUSHNEST, "serve"], env=clean_env(tmp_path), cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "PUSHNEST_PORT" in result.stderr and "[server] port" in result.stderr


def test_two_processes_migrating_at_once_both_succeed(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    procs = [
        subprocess.Popen(
            [*PUSHNEST, "migrate"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "database is up to date" in out


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = subprocess.run(
        [*PUSHNEST, "export-schema", "-o", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "type Query" in target.read_text()


def reset_password(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PUSHNEST, "reset-password", *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def graphql(
    port: int, query: str, variables: dict[str, str] | None = None, token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=10,
    ).json()
    return body


LOGIN = 'mutation($p: String!) { login(username: "admin", password: $p) { token } }'


def test_reset_password_prints_a_new_password_once_and_ends_every_session(tmp_path: Path) -> None:
    env = clean_env(tmp_path, PUSHNEST_ADMIN_PASSWORD="the-lost-password")
    port = free_port()
    proc, _ = serve_until_ready(env, port)
    try:
        old_token = graphql(port, LOGIN, {"p": "the-lost-password"})["data"]["login"]["token"]
        result = reset_password(env, "admin")  # while the server runs
        assert result.returncode == 0, result.stderr
        new_password = result.stdout.strip()
        assert len(new_password) >= 16 and new_password not in result.stderr
        assert "every session" in result.stderr
        me = graphql(port, "{ me { username } }", token=old_token)
        assert me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (
            graphql(port, LOGIN, {"p": "the-lost-password"})["errors"][0]["extensions"]["code"]
            == "UNAUTHENTICATED"
        )
        token = graphql(port, LOGIN, {"p": new_password})["data"]["login"]["token"]
        audit = graphql(
            port,
            '{ auditLogs(filter: {action: "user.reset_password"}) { nodes { actorName ip diff } } }',
            token=token,
        )
        [row] = audit["data"]["auditLogs"]["nodes"]
        assert row["actorName"] == "pushnest reset-password" and row["ip"] == "cli"
        assert new_password not in json.dumps(row)
    finally:
        stop(proc)


def test_reset_password_reads_the_password_from_stdin(tmp_path: Path) -> None:
    env = clean_env(tmp_path, PUSHNEST_ADMIN_PASSWORD="the-lost-password")
    subprocess.run([*PUSHNEST, "migrate"], env=env, cwd=REPO, check=True, capture_output=True, timeout=60)
    port = free_port()
    proc, _ = serve_until_ready(env, port)  # creates admin
    try:
        short = reset_password(env, "admin", "--password-stdin", stdin="short\n")
        assert short.returncode == 1 and "password: String should have at least 8 characters" in short.stderr
        assert "token" in json.dumps(graphql(port, LOGIN, {"p": "the-lost-password"}))
        chosen = reset_password(env, "admin", "--password-stdin", stdin="chosen password 123\n")
        assert chosen.returncode == 0, chosen.stderr
        assert chosen.stdout == ""  # nothing to show: the caller chose it
        assert "token" in json.dumps(graphql(port, LOGIN, {"p": "chosen password 123"}))
    finally:
        stop(proc)
    unknown = reset_password(env, "nobody")
    assert unknown.returncode == 1 and "no user named 'nobody'" in unknown.stderr


def test_start_up_is_quiet(tmp_path: Path) -> None:
    env = clean_env(tmp_path, PUSHNEST_ADMIN_PASSWORD="a-password-1")
    proc, _ = serve_until_ready(env, free_port())
    err = stop(proc)
    # Tortoise's "shutdown" between migrating and the real start read like a failure.
    for noise in ("Tortoise-ORM shutdown", "Traceback", "Warning", "WARNING", "ERROR"):
        assert noise not in err, err


def test_migrating_mariadb_again_warns_of_nothing(tmp_path: Path) -> None:
    import asyncio
    import secrets

    from tests.conftest import MYSQL_ROOT, mysql_admin
    from tests.scaleout.conftest import reachable

    if not reachable(MYSQL_ROOT, 3306):
        pytest.skip("needs MariaDB")
    name = f"pushnest_quiet_{secrets.token_hex(4)}"
    asyncio.run(mysql_admin(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        env = clean_env(tmp_path, PUSHNEST_DATABASE_URL=f"{MYSQL_ROOT}/{name}")
        runs = [
            subprocess.run(
                [*PUSHNEST, "migrate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
            )
            for _ in range(2)
        ]
    finally:
        asyncio.run(mysql_admin(f"DROP DATABASE IF EXISTS {name}"))
    for run in runs:
        assert run.returncode == 0, run.stderr
        # The second run met MariaDB's "Table 'tortoise_migrations' already exists" note.
        assert run.stderr == "", run.stderr


def test_processes_starting_at_once_migrate_one_postgres_database_in_turn(tmp_path: Path) -> None:
    import asyncio
    import secrets

    from tests.conftest import POSTGRES_ROOT, postgres_admin
    from tests.scaleout.conftest import reachable

    if not reachable(POSTGRES_ROOT, 5432):
        pytest.skip("needs PostgreSQL")
    name = f"pushnest_turns_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin(f"CREATE DATABASE {name}"))
    try:
        env = clean_env(tmp_path, PUSHNEST_DATABASE_URL=f"{POSTGRES_ROOT}/{name}")
        # Without the advisory lock, concurrent CREATE TABLEs collide in PostgreSQL's catalog.
        procs = [
            subprocess.Popen(
                [*PUSHNEST, "migrate"],
                env=env,
                cwd=REPO,
                stderr=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                text=True,
            )
            for _ in range(3)
        ]
        outcomes = [(proc.wait(timeout=120), proc.communicate()[1]) for proc in procs]
    finally:
        asyncio.run(postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    for returncode, err in outcomes:
        assert returncode == 0, err
        assert "Traceback" not in err, err


def test_a_second_all_in_one_process_is_refused_in_one_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path, PUSHNEST_ADMIN_PASSWORD="a-password-1")
    first, _ = serve_until_ready(env, free_port())
    try:
        second = subprocess.run(
            [*PUSHNEST, "serve", "--port", str(free_port())],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        stop(first)
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1, second.stderr
    assert "another `pushnest serve` without Redis runs on" in second.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_with_redis_generated_secrets_are_refused(tmp_path: Path, command: str) -> None:
    # A worker with its own data dir used to fail every secret-bearing send ("cannot be decrypted").
    redis = f"redis://127.0.0.1:{free_port()}/0"
    env = clean_env(tmp_path, PUSHNEST_REDIS_URL=redis, PUSHNEST_JWT_SECRET="j" * 40)
    result = subprocess.run(
        [*PUSHNEST, command], env=env, cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "must share" in result.stderr and "PUSHNEST_SECRET_KEY" in result.stderr
    assert "PUSHNEST_JWT_SECRET" not in result.stderr  # that one was set


def test_version_and_help_with_defaults() -> None:
    version = subprocess.run([*PUSHNEST, "--version"], cwd=REPO, capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and re.fullmatch(r"pushnest \d+\.\d+\.\d+\S*\n", version.stdout)
    serve = subprocess.run(
        [*PUSHNEST, "serve", "--help"], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert "PUSHNEST_HOST, else 127.0.0.1" in serve.stdout and "PUSHNEST_PORT, else 8000" in serve.stdout
    imports = subprocess.run(
        [*PUSHNEST, "import-message-nest", "--help"], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert "(default: admin)" in imports.stdout and "(default: message_)" in imports.stdout
    assert "(default: None)" not in imports.stdout and "(default: False)" not in imports.stdout
