"""load_settings(): defaults, ini file, PUSHNEST_* overrides, validation messages, stored secrets."""

from __future__ import annotations

import ipaddress
import json
import stat
from pathlib import Path

import pytest

from schema.errors import ConfigError
from schema.settings import load_settings

SECRET_A = "a" * 40
SECRET_B = "b" * 40


def _secrets_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PUSHNEST_DATA_DIR": str(data_dir),
        "PUSHNEST_JWT_SECRET": SECRET_A,
        "PUSHNEST_SECRET_KEY": SECRET_B,
        **extra,
    }


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, tmp_path / "missing.ini")

    data_dir = (tmp_path / "data").resolve()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.log_level == "INFO"
    assert settings.data_dir == data_dir
    assert settings.data_dir.is_absolute()
    assert settings.database_url == f"sqlite://{data_dir.as_posix()}/pushnest.db"
    assert settings.is_sqlite is True
    assert settings.redis_url is None
    assert settings.embedded is True
    assert settings.trusted_proxies == ()
    assert settings.admin_password is None
    assert settings.console_dir == (tmp_path / "frontend" / "dist").resolve()


def test_relative_data_dir_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        {"PUSHNEST_DATA_DIR": "store/sub", "PUSHNEST_JWT_SECRET": SECRET_A, "PUSHNEST_SECRET_KEY": SECRET_B},
        tmp_path / "missing.ini",
    )
    assert settings.data_dir == (tmp_path / "store" / "sub").resolve()
    assert (
        settings.database_url == f"sqlite://{(tmp_path / 'store' / 'sub').resolve().as_posix()}/pushnest.db"
    )


def test_console_dir_is_resolved_like_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ini = tmp_path / "app.ini"
    ini.write_text("[server]\nconsole_dir = built/console\n", encoding="utf-8")
    assert load_settings(_secrets_env(tmp_path / "d"), ini).console_dir == tmp_path / "built" / "console"
    env = _secrets_env(tmp_path / "d", PUSHNEST_CONSOLE_DIR="/srv/pushnest/console")
    assert load_settings(env, ini).console_dir == Path("/srv/pushnest/console")


def test_retention_caps_fit_graphql_ints(tmp_path: Path) -> None:
    env = _secrets_env(tmp_path / "d", PUSHNEST_RETENTION_MAX_MESSAGES=str(2**31))
    with pytest.raises(ConfigError, match="PUSHNEST_RETENTION_MAX_MESSAGES"):
        load_settings(env, tmp_path / "app.ini")


def test_ini_values_are_read(tmp_path: Path) -> None:
    data_dir = tmp_path / "inidata"
    ini = tmp_path / "app.ini"
    ini.write_text(
        f"""
[app]
data_dir = {data_dir}
log_level = debug
jwt_secret = {SECRET_A}
secret_key = {SECRET_B}
jwt_ttl_minutes = 60
graphiql = false

[server]
host = 0.0.0.0
port = 9123
allowed_origins = https://a.example, https://b.example

[database]
url = mysql://user:pw@db:3306/pushnest

[redis]
url = redis://cache:6379/2
""",
        encoding="utf-8",
    )
    settings = load_settings({}, ini)

    assert settings.data_dir == data_dir.resolve()
    assert settings.log_level == "DEBUG"
    assert settings.jwt_secret.get_secret_value() == SECRET_A
    assert settings.secret_key.get_secret_value() == SECRET_B
    assert settings.jwt_ttl_minutes == 60
    assert settings.graphiql is False
    assert settings.host == "0.0.0.0"
    assert settings.port == 9123
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.database_url == "mysql://user:pw@db:3306/pushnest"
    assert settings.is_sqlite is False
    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.embedded is False


def test_env_wins_over_ini(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text(
        "[server]\nport = 9123\nhost = 0.0.0.0\n[redis]\nurl = redis://ini:6379\n", encoding="utf-8"
    )
    env = _secrets_env(
        tmp_path / "d",
        PUSHNEST_PORT="9555",
        PUSHNEST_REDIS_URL="redis://env:6379",
        PUSHNEST_LOG_LEVEL="warning",
    )
    settings = load_settings(env, ini)

    assert settings.port == 9555
    assert settings.redis_url == "redis://env:6379"
    assert settings.log_level == "WARNING"
    # Not overridden: the ini value stays.
    assert settings.host == "0.0.0.0"


def test_empty_redis_url_means_embedded(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[redis]\nurl = redis://ini:6379\n", encoding="utf-8")
    settings = load_settings(_secrets_env(tmp_path / "d", PUSHNEST_REDIS_URL=""), ini)
    assert settings.redis_url is None
    assert settings.embedded is True


@pytest.mark.parametrize(
    ("env_var", "value", "ini_key"),
    [
        ("PUSHNEST_PORT", "70000", "[server] port"),
        ("PUSHNEST_PORT", "abc", "[server] port"),
        ("PUSHNEST_LOG_LEVEL", "LOUD", "[app] log_level"),
        ("PUSHNEST_DATABASE_URL", "oracle://x", "[database] url"),
        ("PUSHNEST_JWT_SECRET", "short", "[app] jwt_secret"),
        ("PUSHNEST_REDIS_URL", "http://cache:6379", "[redis] url"),
        ("PUSHNEST_TRUSTED_PROXIES", "not-a-network", "[server] trusted_proxies"),
    ],
)
def test_bad_env_value_names_env_var_and_ini_key(
    tmp_path: Path, env_var: str, value: str, ini_key: str
) -> None:
    ini = tmp_path / "app.ini"
    env = _secrets_env(tmp_path / "d", **{env_var: value})
    with pytest.raises(ConfigError) as caught:
        load_settings(env, ini)
    message = str(caught.value)
    assert env_var in message
    assert ini_key in message
    assert caught.value.code == "CONFIG"


@pytest.mark.parametrize(
    ("section", "key", "value", "env_var"),
    [
        ("server", "port", "70000", "PUSHNEST_PORT"),
        ("server", "port", "abc", "PUSHNEST_PORT"),
        ("app", "log_level", "LOUD", "PUSHNEST_LOG_LEVEL"),
        ("database", "url", "oracle://x", "PUSHNEST_DATABASE_URL"),
        ("app", "jwt_secret", "short", "PUSHNEST_JWT_SECRET"),
    ],
)
def test_bad_ini_value_names_env_var_and_ini_key(
    tmp_path: Path, section: str, key: str, value: str, env_var: str
) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings({"PUSHNEST_DATA_DIR": str(tmp_path / "d")}, ini)
    message = str(caught.value)
    assert env_var in message
    assert f"[{section}] {key}" in message
    assert str(ini) in message


def test_short_secret_is_not_echoed(tmp_path: Path) -> None:
    env = _secrets_env(tmp_path / "d", PUSHNEST_JWT_SECRET="tooShortSecretXYZ")
    with pytest.raises(ConfigError) as caught:
        load_settings(env, tmp_path / "app.ini")
    assert "tooShortSecretXYZ" not in str(caught.value)


def test_unknown_ini_key(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[server]\nport = 8000\nbogus_key = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[server\] bogus_key"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_known_key_in_wrong_section_is_unknown(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[app]\nport = 8000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[app\] port"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_unparseable_ini(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("port = 8000 without a section\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_duplicate_section_is_unparseable(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[server]\nport = 1\n[server]\nport = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_non_utf8_ini_is_config_error(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_bytes(b"[app]\nlog_level = \xff\n")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_default_section_key_is_not_silently_ignored(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[DEFAULT]\nport = 9999\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="port"):
        load_settings(_secrets_env(tmp_path / "d"), ini)


def test_generated_secrets_are_stored_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    env = {"PUSHNEST_DATA_DIR": str(data_dir)}
    first = load_settings(env, tmp_path / "missing.ini")

    path = data_dir / "secrets.json"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["jwt_secret"] == first.jwt_secret.get_secret_value()
    assert stored["secret_key"] == first.secret_key.get_secret_value()
    assert len(stored["jwt_secret"]) >= 32
    assert stored["jwt_secret"] != stored["secret_key"]

    second = load_settings(env, tmp_path / "missing.ini")
    assert second.jwt_secret.get_secret_value() == first.jwt_secret.get_secret_value()
    assert second.secret_key.get_secret_value() == first.secret_key.get_secret_value()
    assert json.loads(path.read_text(encoding="utf-8")) == stored


def test_configured_secrets_are_used_and_not_written(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = load_settings(_secrets_env(data_dir), tmp_path / "missing.ini")
    assert settings.jwt_secret.get_secret_value() == SECRET_A
    assert settings.secret_key.get_secret_value() == SECRET_B
    assert not (data_dir / "secrets.json").exists()


def test_one_configured_secret_other_generated(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"PUSHNEST_DATA_DIR": str(data_dir), "PUSHNEST_JWT_SECRET": SECRET_A}
    settings = load_settings(env, tmp_path / "missing.ini")
    stored = json.loads((data_dir / "secrets.json").read_text(encoding="utf-8"))
    assert settings.jwt_secret.get_secret_value() == SECRET_A
    assert settings.secret_key.get_secret_value() == stored["secret_key"]


def test_corrupt_secrets_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "secrets.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"secrets\.json"):
        load_settings({"PUSHNEST_DATA_DIR": str(data_dir)}, tmp_path / "missing.ini")


def test_trusted_proxies_parsed(tmp_path: Path) -> None:
    env = _secrets_env(tmp_path / "d", PUSHNEST_TRUSTED_PROXIES="127.0.0.1/32, 10.0.0.0/8")
    settings = load_settings(env, tmp_path / "missing.ini")
    assert settings.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    )
    assert ipaddress.ip_address("10.1.2.3") in settings.trusted_proxies[1]


def test_trusted_proxies_from_ini_with_ipv6(tmp_path: Path) -> None:
    ini = tmp_path / "app.ini"
    ini.write_text("[server]\ntrusted_proxies = 192.168.0.0/16 ::1/128\n", encoding="utf-8")
    settings = load_settings(_secrets_env(tmp_path / "d"), ini)
    assert settings.trusted_proxies == (
        ipaddress.ip_network("192.168.0.0/16"),
        ipaddress.ip_network("::1/128"),
    )


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(_secrets_env(tmp_path / "d"), tmp_path / "missing.ini")
    with pytest.raises(Exception, match="frozen"):
        settings.port = 1  # type: ignore[misc]


def test_the_shipped_example_ini_is_valid(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "conf" / "app.example.ini"
    settings = load_settings({"PUSHNEST_DATA_DIR": str(tmp_path)}, example)
    assert settings.port == 8000 and settings.embedded


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:///tmp/p.db", "sqlite"),
        ("mysql://root@db/pushnest", "mysql"),
        ("postgres://pushnest:pw@db/pushnest", "postgres"),
        ("postgresql://pushnest@db:5433/pushnest", "postgres"),
    ],
)
def test_every_supported_database_url_is_accepted_with_its_kind(tmp_path: Path, url: str, kind: str) -> None:
    settings = load_settings(
        {"PUSHNEST_DATA_DIR": str(tmp_path), "PUSHNEST_DATABASE_URL": url}, tmp_path / "no.ini"
    )
    assert settings.database_kind == kind


@pytest.mark.parametrize(
    ("given", "prefix"),
    [("", ""), ("/", ""), ("pushnest", "/pushnest"), ("/pushnest/", "/pushnest"), ("/a/b-c", "/a/b-c")],
)
def test_the_path_prefix_is_normalised(tmp_path: Path, given: str, prefix: str) -> None:
    env = {"PUSHNEST_DATA_DIR": str(tmp_path), "PUSHNEST_PATH_PREFIX": given}
    assert load_settings(env, tmp_path / "no.ini").path_prefix == prefix


@pytest.mark.parametrize("given", ["/../x", "/a/./b", "/a b", '/a"b', "/a?b", "/%2e"])
def test_a_path_prefix_that_could_leave_its_path_is_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(ConfigError, match="PUSHNEST_PATH_PREFIX"):
        load_settings(
            {"PUSHNEST_DATA_DIR": str(tmp_path), "PUSHNEST_PATH_PREFIX": given}, tmp_path / "no.ini"
        )
