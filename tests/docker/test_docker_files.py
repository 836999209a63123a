"""docker/Dockerfile and docker/compose.yaml, checked without a Docker engine.

No image is built here. The files are read for what a deployment depends on (stages, a non-root
user, health checks, commands, secrets without defaults, volumes), and what the image runs is run
directly on this machine: the entry point, `serve` until its health check passes, `worker` without
Redis, the health check one-liners themselves, the console stage's inputs, and the
build stage's inputs through setuptools.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from schema.settings import load_settings
from tests.conftest import free_port
from tests.fakes.redis_server import PrivateRedis

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "docker" / "Dockerfile"
DOCKERIGNORE = REPO / "docker" / "Dockerfile.dockerignore"
COMPOSE = REPO / "docker" / "compose.yaml"
VENV_BIN = Path(sys.executable).parent
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")
SAMPLE_ENV = {
    "PUSHNEST_DB_PASSWORD": "db0pass1word2",
    "PUSHNEST_DB_ROOT_PASSWORD": "root0pass1word2",
    "PUSHNEST_JWT_SECRET": "j" * 40,
    "PUSHNEST_SECRET_KEY": "k" * 40,
}


# --- Dockerfile -----------------------------------------------------------------------------------


def dockerfile_stages() -> list[dict[str, Any]]:
    """[{"from": image, "name": alias, "instructions": [(KEYWORD, arguments)]}] in file order."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical.append(pending + line.strip())
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    stages: list[dict[str, Any]] = []
    for entry in logical:
        keyword, _, arguments = entry.strip().partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "FROM":
            words = arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append({"from": words[0], "name": name, "instructions": []})
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1]["instructions"].append((keyword, arguments))
    return stages


def instructions(stage: dict[str, Any], keyword: str) -> list[str]:
    return [arguments for kw, arguments in stage["instructions"] if kw == keyword]


def runtime_stage() -> dict[str, Any]:
    return dockerfile_stages()[-1]


def healthcheck_command() -> list[str]:
    (healthcheck,) = instructions(runtime_stage(), "HEALTHCHECK")
    _, _, command = healthcheck.partition(" CMD ")
    parsed = json.loads(command)
    assert isinstance(parsed, list) and all(isinstance(word, str) for word in parsed)
    return parsed


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in instructions(runtime_stage(), "ENV"):
        for pair in shlex.split(line):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_dockerfile_has_the_console_build_and_runtime_stages() -> None:
    stages = dockerfile_stages()
    assert [(s["from"], s["name"]) for s in stages] == [
        ("node:20-slim", "console"),
        ("python:3.11-slim", "build"),
        ("python:3.11-slim", None),
    ]
    build = stages[1]
    assert "python -m venv /opt/pushnest" in instructions(build, "RUN")
    assert any("pip install --no-cache-dir --no-deps ." in run for run in instructions(build, "RUN"))
    copies = instructions(stages[2], "COPY")
    assert "--from=build /opt/pushnest /opt/pushnest" in copies
    assert "--from=console /src/frontend/dist /opt/pushnest/console" in copies


def test_the_runtime_runs_as_the_unprivileged_pushnest_user() -> None:
    stage = runtime_stage()
    (user,) = instructions(stage, "USER")
    assert user.split(":")[0] not in {"root", "0"}
    assert user == "10001:10001"
    setup = " ".join(instructions(stage, "RUN"))
    assert "useradd --system --uid 10001 --gid pushnest" in setup
    assert "groupadd --system --gid 10001 pushnest" in setup
    assert "-o pushnest -g pushnest" in setup and "/var/lib/pushnest" in setup
    # The user is set after everything that needs root, and stays in force for the entry point.
    keywords = [kw for kw, _ in stage["instructions"]]
    assert "RUN" not in keywords[keywords.index("USER") :]


def test_the_runtime_configuration_entry_point_and_health_check() -> None:
    stage = runtime_stage()
    env = image_env()
    assert env["PUSHNEST_DATA_DIR"] == "/var/lib/pushnest"
    assert env["PUSHNEST_HOST"] == "0.0.0.0"
    assert env["PATH"] == "/opt/pushnest/bin:$PATH"
    assert instructions(stage, "WORKDIR") == ["/var/lib/pushnest"]
    assert instructions(stage, "EXPOSE") == ["8000"]
    assert [json.loads(e) for e in instructions(stage, "ENTRYPOINT")] == [["pushnest"]]
    assert [json.loads(c) for c in instructions(stage, "CMD")] == [["serve"]]
    (healthcheck,) = instructions(stage, "HEALTHCHECK")
    assert re.search(r"--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD ", healthcheck)
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2]
    # Every other stage's HEALTHCHECK/ENTRYPOINT would be dead weight or a mistake.
    for other in dockerfile_stages()[:-1]:
        assert not instructions(other, "HEALTHCHECK") and not instructions(other, "ENTRYPOINT")


def test_the_console_stage_builds_the_frontend_from_its_lock_file() -> None:
    console = dockerfile_stages()[0]
    copies = instructions(console, "COPY")
    runs = instructions(console, "RUN")
    # The lock file is copied (and npm ci run) before the sources, so edits do not reinstall.
    assert copies[0] == "frontend/package.json frontend/package-lock.json ./"
    assert runs[0].startswith("npm ci")
    assert "schema/schema.graphql /src/schema/schema.graphql" in copies
    assert copies[-1] == "frontend/ ./"
    scripts = json.loads((REPO / "frontend" / "package.json").read_text())["scripts"]
    for needed in ("codegen", "build"):
        assert f"npm run {needed}" in runs[-1] and needed in scripts
    codegen = (REPO / "frontend" / "codegen.ts").read_text()
    assert "'../schema/schema.graphql'" in codegen, "the SDL path the stage provides"
    assert (REPO / "frontend" / "package-lock.json").is_file()


def test_the_runtime_serves_the_console_it_built() -> None:
    assert image_env()["PUSHNEST_CONSOLE_DIR"] == "/opt/pushnest/console"


def build_stage_sources() -> list[str]:
    sources: list[str] = []
    for copy in instructions(dockerfile_stages()[1], "COPY"):
        assert not copy.startswith("--")
        *paths, _ = copy.split()
        sources += [p.rstrip("/") for p in paths]
    return sources


def test_the_build_stage_inputs_make_a_complete_package(tmp_path: Path) -> None:
    """What `pip install .` sees in the build stage: only the files the build stage copies."""
    src = tmp_path / "src"
    src.mkdir()
    for source in build_stage_sources():
        origin = REPO / source
        if origin.is_dir():
            shutil.copytree(origin, src / source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, src / source)
    out = tmp_path / "lib"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "egg_info",
            "build_py",
            "-d",
            out,
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for package in ("schema", "server", "workers"):
        for init in (REPO / package).rglob("__init__.py"):
            module_dir = init.parent.relative_to(REPO)
            assert (out / module_dir / "__init__.py").is_file(), f"{module_dir} is missing from the package"
    for data in (
        "schema/schema.graphql",
        "schema/py.typed",
        "server/py.typed",
        "schema/migrations/0001_initial.py",
    ):
        assert (out / data).is_file(), f"{data} is missing from the package"
    (entry_points,) = src.glob("*.egg-info/entry_points.txt")
    assert "pushnest = server.cli:main" in entry_points.read_text()


def test_the_dependency_layer_installs_the_lock_file_with_hashes() -> None:
    build = dockerfile_stages()[1]
    runs = instructions(build, "RUN")
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in runs
    # The package itself adds nothing unlocked: its dependencies are all in the lock already.
    assert any("--no-deps ." in run and "pip check" in run for run in runs)
    assert "requirements.lock ./" in instructions(build, "COPY")


def test_the_ignore_file_keeps_local_state_out_and_the_build_inputs_in() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".venv", "data", "tests", ".git", "bench", "**/node_modules", "frontend/node_modules"):
        assert required in patterns
    assert "conf/app.ini" in patterns, "a local app.ini may hold secrets"
    for source in [*build_stage_sources(), "frontend", "frontend/package.json"]:
        assert not any(fnmatch.fnmatch(source, p) for p in patterns), f"{source} would be ignored"


# --- compose.yaml ---------------------------------------------------------------------------------
# PyYAML is not a dependency of PushNest, so the compose file is written in a small YAML subset that
# this parser reads exactly (block mappings, block and one-line flow lists, quoted and plain scalars)
# and refuses anything else. Where PyYAML happens to be installed, a test checks both agree.

_PLAIN_AMBIGUOUS = {"yes", "no", "on", "off", "y", "n", "null", "~"}


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quote = [], "", ""
    for index, char in enumerate(text):
        if quote:
            current += char
            if char == quote and not (quote == '"' and text[index - 1] == "\\"):
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    assert not quote, f"unclosed quote in {text!r}"
    parts.append(current)
    return parts


def _strip_comment(line: str) -> str:
    """The line without its comment: a '#' outside quotes, at the start or after a space."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote and not (quote == '"' and line[index - 1] == "\\"):
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        assert text.endswith('"') and len(text) > 1, text
        return json.loads(text)
    if text.startswith("'"):
        assert text.endswith("'") and len(text) > 1, text
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        assert text.endswith("]"), f"a flow list must stay on one line: {text!r}"
        inner = text[1:-1].strip()
        return [_scalar(item) for item in _split_outside_quotes(inner, ",")] if inner else []
    assert text and text[0] not in "{]&*!|>%@`,", f"unsupported YAML: {text!r}"
    assert ": " not in text and not text.endswith(":"), f"quote this value: {text!r}"
    assert text.lower() not in _PLAIN_AMBIGUOUS, f"quote {text!r}: YAML 1.1 reads it as a boolean or null"
    if text in {"true", "false"}:
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _block(lines: list[tuple[int, str]], pos: int, indent: int) -> tuple[Any, int]:
    if lines[pos][1].startswith("- "):
        items = []
        while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
            items.append(_scalar(lines[pos][1][2:]))
            pos += 1
        value: Any = items
    else:
        mapping: dict[str, Any] = {}
        while pos < len(lines) and lines[pos][0] == indent:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+):(?: +(.*))?", lines[pos][1])
            assert match, f"unsupported YAML line: {lines[pos][1]!r}"
            key, rest = match.groups()
            assert key not in mapping, f"duplicate key {key!r}"
            pos += 1
            if rest:
                mapping[key] = _scalar(rest)
            elif pos < len(lines) and lines[pos][0] > indent:
                mapping[key], pos = _block(lines, pos, lines[pos][0])
            else:
                mapping[key] = None
        value = mapping
    assert pos == len(lines) or lines[pos][0] < indent, f"bad indentation at {lines[pos][1]!r}"
    return value, pos


def parse_yaml_subset(text: str) -> Any:
    lines = []
    for raw in text.splitlines():
        assert "\t" not in raw, "tabs in YAML"
        line = _strip_comment(raw)
        if line.strip():
            lines.append((len(line) - len(line.lstrip(" ")), line.strip()))
    value, pos = _block(lines, 0, lines[0][0])
    assert pos == len(lines)
    return value


_REFERENCE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}…"""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if op and op.endswith("?") and not present:
            raise LookupError(f"{name}: {arg}")
        if op and op.endswith("-") and not present:
            return arg
        return env.get(name, "")

    return _REFERENCE.sub(substitute, value)


def compose() -> dict[str, Any]:
    parsed = parse_yaml_subset(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(parsed, dict)
    return parsed


def service(name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"][name]
    return found


def test_the_yaml_subset_parser_agrees_with_pyyaml() -> None:
    yaml = pytest.importorskip("yaml")
    assert parse_yaml_subset(COMPOSE.read_text(encoding="utf-8")) == yaml.safe_load(COMPOSE.read_text())


def test_compose_defines_the_four_services_and_their_commands() -> None:
    services = compose()["services"]
    assert set(services) == {"mariadb", "redis", "api", "worker"}
    assert services["mariadb"]["image"] == "mariadb:11"
    assert services["redis"]["image"] == "redis:7-alpine"
    assert services["api"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    for name in ("api", "worker"):
        build = services[name]["build"]
        assert build == {"context": "..", "dockerfile": "docker/Dockerfile"}
        # Compose resolves the context from the compose file's folder, the Dockerfile from the context.
        context = (COMPOSE.parent / build["context"]).resolve()
        assert context == REPO and context / build["dockerfile"] == DOCKERFILE
        # BuildKit reads the ignore file next to the Dockerfile, named after it.
        assert DOCKERFILE.with_name(DOCKERFILE.name + ".dockerignore").is_file()
    assert services["api"]["image"] == services["worker"]["image"]
    assert services["api"]["ports"] == ["8000:8000"]
    assert "--appendonly" in services["redis"]["command"]
    assert services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1] == "yes"


def test_every_service_has_a_health_check_and_starts_after_what_it_needs() -> None:
    services = compose()["services"]
    for name, definition in services.items():
        check = definition.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no health check"
        assert check["test"][0] in {"CMD", "CMD-SHELL"} and len(check["test"]) > 1
    assert services["mariadb"]["healthcheck"]["test"] == [
        "CMD",
        "healthcheck.sh",
        "--connect",
        "--innodb_initialized",
    ]
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    # The API's check is the image's; the worker's asks its own port's /readyz.
    assert services["api"]["healthcheck"]["test"] == ["CMD", *healthcheck_command()]
    assert services["worker"]["healthcheck"]["test"] != services["api"]["healthcheck"]["test"]
    healthy = {"condition": "service_healthy"}
    assert services["api"]["depends_on"] == {"mariadb": healthy, "redis": healthy}
    assert services["worker"]["depends_on"]["api"] == healthy, "the API migrates before workers start"


def test_workers_scale_with_an_environment_variable() -> None:
    worker = service("worker")
    replicas = worker["deploy"]["replicas"]
    assert interpolate(replicas, {}) == "2"
    assert interpolate(replicas, {"PUSHNEST_WORKERS": "6"}) == "6"
    # Fixed names and published ports would stop a second replica from starting.
    assert "container_name" not in worker and "ports" not in worker


def test_no_secret_has_a_default_value() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    references = [m for m in _REFERENCE.finditer(text) if m.group("name")]
    secret_refs = [m for m in references if SECRET_NAME.search(m.group("name"))]
    assert {m.group("name") for m in secret_refs} == set(SAMPLE_ENV)
    for match in secret_refs:
        assert match.group("op") == ":?", f"{match.group(0)} must be required, with no default"
    for match in references:
        assert match.group("op") != "-" or not SECRET_NAME.search(match.group("name"))
    assert "${PUSHNEST_JWT_SECRET:?" in text and "${PUSHNEST_SECRET_KEY:?" in text
    assert "${PUSHNEST_DB_PASSWORD:?" in text
    for name, definition in compose()["services"].items():
        for key, value in (definition.get("environment") or {}).items():
            if not SECRET_NAME.search(key):
                continue
            # Either passed through from the caller's environment, or built only from required variables.
            if value is not None:
                assert _REFERENCE.sub("", value) == "", f"{name}.{key} holds a literal secret"
    for name in SAMPLE_ENV:
        incomplete = {k: v for k, v in SAMPLE_ENV.items() if k != name}
        with pytest.raises(LookupError, match=name):
            for definition in compose()["services"].values():
                for value in (definition.get("environment") or {}).values():
                    if value is not None:
                        interpolate(value, incomplete)


def test_the_databases_keep_their_data_in_named_volumes() -> None:
    document = compose()
    assert document["services"]["mariadb"]["volumes"] == ["mariadb-data:/var/lib/mysql"]
    assert document["services"]["redis"]["volumes"] == ["redis-data:/data"]
    assert set(document["volumes"]) == {"mariadb-data", "redis-data"}


def test_the_compose_environment_is_a_valid_pushnest_configuration(tmp_path: Path) -> None:
    services = compose()["services"]
    database = {k: interpolate(v, SAMPLE_ENV) for k, v in services["mariadb"]["environment"].items()}
    for name in ("api", "worker"):
        env = {
            k: interpolate(v, SAMPLE_ENV) for k, v in services[name]["environment"].items() if v is not None
        }
        settings = load_settings(
            env | {"PUSHNEST_DATA_DIR": str(tmp_path)}, config_file=tmp_path / "absent.ini"
        )
        url = urlsplit(settings.database_url)
        assert (url.scheme, url.hostname, url.port) == ("mysql", "mariadb", 3306)
        assert url.username == database["MARIADB_USER"]
        assert url.password == database["MARIADB_PASSWORD"] == SAMPLE_ENV["PUSHNEST_DB_PASSWORD"]
        assert url.path == f"/{database['MARIADB_DATABASE']}"
        assert settings.redis_url and urlsplit(settings.redis_url).hostname == "redis"
        assert settings.jwt_secret.get_secret_value() == SAMPLE_ENV["PUSHNEST_JWT_SECRET"]
        assert settings.secret_key.get_secret_value() == SAMPLE_ENV["PUSHNEST_SECRET_KEY"]
    # Every process must share the secrets; only the API needs the first admin password, only the
    # worker its health port.
    api_env, worker_env = services["api"]["environment"], dict(services["worker"]["environment"])
    assert worker_env.pop("PUSHNEST_WORKER_METRICS_PORT") == "9100"
    assert {k: v for k, v in api_env.items() if v is not None} == worker_env


# --- the image's commands, run directly -----------------------------------------------------------


def as_in_the_image(data_dir: Path, **extra: str) -> dict[str, str]:
    """The image's environment, with this venv for /opt/pushnest and 127.0.0.1 for 0.0.0.0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")}
    env |= {k: v for k, v in image_env().items() if k.startswith("PUSHNEST_")}
    env |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PUSHNEST_DATA_DIR": str(data_dir),
        "PUSHNEST_HOST": "127.0.0.1",
    }
    return env | extra


def entry_point(env: dict[str, str]) -> str:
    (entry,) = json.loads(instructions(runtime_stage(), "ENTRYPOINT")[0])
    found = shutil.which(str(entry), path=env["PATH"])
    assert found, f"{entry} is not on PATH"
    assert Path(found).parent == VENV_BIN
    return found


def test_the_entry_point_answers_help(tmp_path: Path) -> None:
    env = as_in_the_image(tmp_path)
    result = subprocess.run(
        [entry_point(env), "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "worker", "migrate"):
        assert command in result.stdout


def test_serve_passes_the_image_health_check_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = as_in_the_image(tmp_path, PUSHNEST_PORT=str(port))
    (default_command,) = [json.loads(c) for c in instructions(runtime_stage(), "CMD")]
    proc = subprocess.Popen(
        [entry_point(env), *default_command],
        env=env,
        cwd=tmp_path,  # the image's WORKDIR is its data dir
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "pushnest serve did not answer /healthz in 30 s"
            time.sleep(0.05)
        check = subprocess.run(healthcheck_command(), env=env, capture_output=True, text=True, timeout=10)
        assert check.returncode == 0, check.stderr
    finally:
        proc.terminate()  # what `docker stop` sends
        _, err = proc.communicate(timeout=15)
    # uvicorn shuts down gracefully, then exits by the signal it caught (143 in `docker ps`).
    assert proc.returncode in {0, -signal.SIGTERM}, err
    assert "Application shutdown complete" in err
    assert (tmp_path / "pushnest.db").is_file(), "the SQLite database belongs in the data dir"
    after = subprocess.run(healthcheck_command(), env=env, capture_output=True, text=True, timeout=10)
    assert after.returncode != 0, "the health check must fail when nothing answers"


def test_worker_without_redis_exits_2_and_says_why(tmp_path: Path) -> None:
    env = as_in_the_image(tmp_path)
    result = subprocess.run(
        [entry_point(env), "worker"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "needs PUSHNEST_REDIS_URL" in result.stderr


def worker_as_in_compose(tmp_path: Path, redis_url: str) -> tuple[dict[str, str], subprocess.Popen[str]]:
    """`pushnest worker` with the compose file's worker settings (its port free, SQLite for MariaDB)."""
    compose_env = {k: interpolate(v, SAMPLE_ENV) for k, v in service("worker")["environment"].items()}
    env = as_in_the_image(
        tmp_path,
        PUSHNEST_REDIS_URL=redis_url,
        PUSHNEST_JWT_SECRET=compose_env["PUSHNEST_JWT_SECRET"],
        PUSHNEST_SECRET_KEY=compose_env["PUSHNEST_SECRET_KEY"],
        PUSHNEST_WORKER_METRICS_PORT=str(free_port()),
    )
    proc = subprocess.Popen(
        [entry_point(env), *service("worker")["command"]],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return env, proc


def health_check_passes(env: dict[str, str], within: float) -> bool:
    command = service("worker")["healthcheck"]["test"][1:]
    deadline = time.monotonic() + within
    while True:
        if subprocess.run(command, env=env, capture_output=True, timeout=20).returncode == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def test_the_worker_health_check_passes_while_its_database_redis_and_loop_answer(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    env, proc = worker_as_in_compose(tmp_path, private_redis.url(7))
    try:
        assert health_check_passes(env, within=30), proc.stderr.read() if proc.stderr and proc.poll() else ""
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert not health_check_passes(env, within=0), "the health check must fail when nothing answers"


def test_the_worker_health_check_fails_without_its_redis(tmp_path: Path) -> None:
    env, proc = worker_as_in_compose(tmp_path, f"redis://127.0.0.1:{free_port()}/0")
    readyz = f"http://127.0.0.1:{env['PUSHNEST_WORKER_METRICS_PORT']}/readyz"
    try:
        deadline = time.monotonic() + 30
        while True:  # the port answers, and says what is missing
            assert proc.poll() is None, "the worker waits for Redis rather than exiting"
            try:
                answer = httpx.get(readyz, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the worker's health port never answered"
                time.sleep(0.1)
        assert answer.status_code == 503 and answer.json()["redis"] is False
        assert not health_check_passes(env, within=0)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
