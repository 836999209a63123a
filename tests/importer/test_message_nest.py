"""The Message Nest importer against databases built with Message Nest's real table layout.

The tables are what GORM creates for Message Nest (TablePrefix "message_", singular names,
UUIDModel columns id/created_by/modified_by/created_on/modified_on), in a SQLite file and in a
fresh MariaDB database. Ids are random per run: PushNest's legacy ids are globally unique.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
import string
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from schema import legacy_token
from schema.channels import webhook
from schema.channels.base import Format, Mentions, Outgoing
from schema.crypto import SecretBox
from schema.importer import SourceError, import_message_nest
from schema.models import (
    AuditLog,
    Binding,
    Channel,
    CronJob,
    InboxItem,
    Message,
    SiteSettings,
    Task,
    Template,
    User,
)
from schema.models.site_settings import SITE_SETTINGS_ID
from schema.settings import Settings
from tests.conftest import MYSQL_ROOT
from tests.helpers import LOGIN, GraphQLClient, new_member, unique

CREATE_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }"
CHANGE_PASSWORD = (
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }"
)
HISTORY = "query($t: Int) { messages(filter: {taskId: $t}) { nodes { source status title } } }"
STATS = "{ stats(days: 30) { sent succeeded failed targets { taskId templateId sent failed } } }"

_UUID_COLS = "id varchar(12) PRIMARY KEY, created_by varchar(100), modified_by varchar(100), created_on datetime(3), modified_on datetime(3)"
# Message Nest's tables (spec §1), as GORM creates them; `datetime(3)` is read as DATETIME by SQLite.
TABLES = [
    "CREATE TABLE message_auth (id integer PRIMARY KEY AUTO_INCREMENT, username varchar(100), password varchar(100))",
    f"CREATE TABLE message_send_ways ({_UUID_COLS}, name varchar(100), type varchar(100), auth varchar(2048))",
    f"CREATE TABLE message_send_tasks ({_UUID_COLS}, name varchar(100))",
    f"""CREATE TABLE message_send_tasks_ins ({_UUID_COLS}, task_id varchar(12), template_id varchar(12),
        way_id varchar(12), way_type varchar(100), content_type varchar(100), config text, extra text,
        enable integer DEFAULT 1)""",
    f"""CREATE TABLE message_template ({_UUID_COLS}, name varchar(200) NOT NULL, description text,
        text_template text, html_template text, markdown_template text, placeholders text, at_mobiles text,
        at_user_ids text, is_at_all boolean DEFAULT false, status varchar(20) DEFAULT 'enabled')""",
    f"""CREATE TABLE message_cron_messages ({_UUID_COLS}, name varchar(200), task_id varchar(36),
        cron varchar(4096), title varchar(1000), content varchar(4096), url varchar(4096), enable integer DEFAULT 1)""",
    """CREATE TABLE message_hosted_message (id integer PRIMARY KEY AUTO_INCREMENT, title text, content text,
        type varchar(100), unique_key varchar(50) UNIQUE, created_on datetime(3), modified_on datetime(3))""",
    """CREATE TABLE message_send_tasks_logs (id integer PRIMARY KEY AUTO_INCREMENT, task_id varchar(12),
        type varchar(20) DEFAULT 'task', name varchar(256), log text, status integer DEFAULT 0,
        caller_ip varchar(256), created_on datetime(3), modified_on datetime(3))""",
    """CREATE TABLE message_settings (id integer PRIMARY KEY AUTO_INCREMENT, created_by varchar(100),
        modified_by varchar(100), created_on datetime(3), modified_on datetime(3), section varchar(100),
        `key` varchar(100), value text)""",
    """CREATE TABLE message_send_stats (id integer PRIMARY KEY AUTO_INCREMENT, task_id varchar(12),
        task_type varchar(20) DEFAULT 'task', day varchar(10), status varchar(20), num bigint DEFAULT 0,
        UNIQUE (task_id, task_type, day, status))""",
    """CREATE TABLE message_login_log (id integer PRIMARY KEY AUTO_INCREMENT, created_by varchar(100),
        modified_by varchar(100), created_on datetime(3), modified_on datetime(3), user_id integer,
        username varchar(100), ip varchar(64), ua varchar(512))""",
]
# Message Nest's own cleanup-job id (its runs are logged like sends).
LOG_CLEANUP_ID = "T-IM1GBswSRY"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'


def mn_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))


@dataclass
class MnWorld:
    source: str
    ids: dict[str, str]


def stats_day(days_ago: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()


def rows(ids: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    t = "2024-05-01 10:00:00.123"

    def way(key: str, name: str, kind: str, auth: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": ids[key],
            "created_on": t,
            "name": name,
            "type": kind,
            "auth": json.dumps(auth),
        }

    def ins(key: str, parent: str, way_key: str, ctype: str, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": ids[key],
            "created_on": t,
            "task_id": ids[parent] if parent == "task" else "",
            "template_id": ids[parent] if parent == "tpl" else "",
            "way_id": ids[way_key],
            "way_type": "",
            "content_type": ctype,
            "config": json.dumps(config),
            "extra": "",
            "enable": 1,
        }

    return {
        "message_send_ways": [
            way(
                "dtalk",
                "DingTalk robot",
                "Dtalk",
                {"access_token": "dt-token", "secret": "SECabc", "keys": "alert"},
            ),
            way(
                "email",
                "Company SMTP",
                "Email",
                {
                    "server": "127.0.0.1",
                    "port": 465,
                    "account": "bot@example.com",
                    "passwd": "smtp-pass",
                    "from_name": "Bot",
                },
            ),
            way(
                "hook",
                "My hook",
                "Custom",
                {
                    "webhook": "http://127.0.0.1:9/hook",
                    "header": "Content-Type: application/json\nX-Token: abc",
                    "body": '{"msg": "TEXT"}',
                },
            ),
            way(
                "plain",
                "Plain hook",
                "Custom",
                {"webhook": "http://127.0.0.1:9/plain", "header": "", "body": "TEXT"},
            ),
            way("nest", "Inbox", "MessageNest", {}),
            way(
                "tg",
                "TG",
                "Telegram",
                {
                    "bot_token": "1:tok",
                    "chat_id": "42",
                    "proxy_url": "http://px:p%40ss@proxy.example.com:3128",
                },
            ),
            way(
                "qwapp",
                "WeCom app",
                "QyWeiXinApp",
                {
                    "corp_id": "ww1",
                    "agent_id": "1000002",
                    "secret": "s",
                    "proxy_url": "socks5://u:pw@10.0.0.1:1080",
                },
            ),
            way(
                "bark",
                "iPhone",
                "Bark",
                {"push_key": "https://bark.example.com/devkey1", "key": "k" * 16, "iv": "i" * 16},
            ),
            way(
                "ntfy",
                "Phone ntfy",
                "Ntfy",
                {
                    "url": "https://ntfy.example.com",
                    "topic": "ops",
                    "icon": "https://example.com/i.png",
                    "actions": "view, Open, https://example.com",
                },
            ),
            way("bad", "Broken gotify", "Gotify", {"url": "not-a-url", "token": "t"}),
        ],
        "message_send_tasks": [{"id": ids["task"], "created_on": t, "name": "Deploys"}],
        "message_send_tasks_ins": [
            ins("i1", "task", "hook", "text", {}),
            ins("i2", "task", "nest", "text", {"blacklist_regex": "^debug"}),
            ins("i3", "task", "email", "html", {"to_account": "ops@example.com", "allowMultiRecip": False}),
            ins("i4", "task", "bad", "text", {}),
            ins("i7", "task", "dtalk", "text", {}),
            ins("i8", "task", "plain", "text", {}),
            ins("i5", "tpl", "nest", "text", {}),
            ins("i6", "tpl", "hook", "markdown", {}),
        ],
        "message_template": [
            {
                "id": ids["tpl"],
                "created_on": t,
                "name": "Alert",
                "description": "an alert",
                "text_template": "Hello {{name}}: {{state}}",
                "html_template": "",
                "markdown_template": "**{{name}}**",
                "placeholders": json.dumps(
                    [
                        {"key": "name", "label": "Name", "default": "world"},
                        {"key": "state", "label": "", "default": "ok"},
                    ]
                ),
                "at_mobiles": "13800000000, 13900000000",
                "at_user_ids": "",
                "is_at_all": 0,
                "status": "enabled",
            }
        ],
        "message_cron_messages": [
            {
                "id": ids["cron"],
                "created_on": t,
                "name": "Weekly",
                "task_id": ids["task"],
                "cron": "0 9 * * 1",
                "title": "Weekly report",
                "content": "It is Monday",
                "url": "https://example.com/r",
                "enable": 1,
            },
            {
                "id": ids["cron6"],
                "created_on": t,
                "name": "Seconds",
                "task_id": ids["task"],
                "cron": "0 0 9 * * *",
                "title": "x",
                "content": "y",
                "url": "",
                "enable": 1,
            },
            *[
                {
                    "id": ids[key],
                    "created_on": t,
                    "name": f"robfig {cron}",
                    "task_id": ids["task"],
                    "cron": cron,
                    "title": "x",
                    "content": "y",
                    "url": "",
                    "enable": 1,
                }
                for key, cron in (("cron_every", "@every 2h"), ("cron_daily", "@daily"))
            ],
        ],
        "message_hosted_message": [
            {"title": "First", "content": "hello", "type": "text", "unique_key": "k" * 16, "created_on": t},
            {
                "title": "Second",
                "content": "**md**",
                "type": "markdown",
                "unique_key": "m" * 16,
                "created_on": "2024-05-02 08:30:00",
            },
            # A row with a NULL timestamp: imported and reported, never an abort.
            {
                "title": "Undated",
                "content": "x",
                "type": "text",
                "unique_key": ids["hkey"],
                "created_on": None,
            },
        ],
        "message_send_tasks_logs": [
            {
                "task_id": ids["task"],
                "type": "task",
                "name": "Deploys",
                "log": "Deployed\n开始任务的发送\n发送成功",
                "status": 1,
                "caller_ip": "203.0.113.7",
                "created_on": t,
            },
            {
                "task_id": ids["tpl"],
                "type": "template",
                "name": "Alert",
                "log": "Disk full\n发送失败 timeout",
                "status": 0,
                "caller_ip": "[CrondTask] [Weekly] ID: x",
                "created_on": None,
                "modified_on": None,
            },
            {
                "task_id": LOG_CLEANUP_ID,
                "type": "task",
                "name": "日志清理",
                "log": "cleaned",
                "status": 1,
                "caller_ip": "",
                "created_on": t,
            },
        ],
        "message_send_stats": [
            {"task_id": ids["task"], "task_type": "task", "day": stats_day(2), "status": "success", "num": 5},
            {"task_id": ids["task"], "task_type": "task", "day": stats_day(2), "status": "failed", "num": 2},
            {
                "task_id": ids["tpl"],
                "task_type": "template",
                "day": stats_day(1),
                "status": "success",
                "num": 3,
            },
            {
                "task_id": "TKdeletedtsk",
                "task_type": "task",
                "day": stats_day(1),
                "status": "success",
                "num": 4,
            },
        ],
        "message_login_log": [
            {
                "user_id": 1,
                "username": "admin",
                "ip": "198.51.100.1",
                "ua": f"Mozilla ({ids['task']})",
                "created_on": t,
            },
            {
                "user_id": 1,
                "username": "admin",
                "ip": "198.51.100.2",
                "ua": f"curl ({ids['task']})",
                "created_on": None,
            },
        ],
        "message_settings": [
            {"section": "site_config", "key": "title", "value": "Ops Nest"},
            {"section": "site_config", "key": "logo", "value": SVG},
            {"section": "site_config", "key": "slogan", "value": "push it"},
            {"section": "site_config", "key": "theme_color", "value": "blue"},
            {"section": "log_config", "key": "keep_num", "value": "1000"},
            {"section": "hosted_msg_config", "key": "enabled", "value": "false"},
            {"section": "qyweixin_app_token", "key": ids["dtalk"], "value": '{"token": "cached-secret"}'},
            {"section": "init", "key": "account", "value": "1"},
        ],
        "message_auth": [
            {"username": "admin", "password": "mn-admin-pass"},
            {"username": ids["account"].lower(), "password": "weak"},
        ],
    }


def inserts(ids: dict[str, str]) -> list[tuple[str, list[Any]]]:
    out = []
    for table, items in rows(ids).items():
        for item in items:
            cols = ", ".join(f"`{c}`" for c in item)
            out.append(
                (
                    f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(item))})",
                    list(item.values()),
                )
            )
    return out


def build_sqlite(path: Path, ids: dict[str, str]) -> None:
    with sqlite3.connect(path) as db:
        for statement in TABLES:
            db.execute(statement.replace("AUTO_INCREMENT", "AUTOINCREMENT"))
        for sql, values in inserts(ids):
            # GORM on SQLite (glebarez) writes times as text with nanoseconds and the zone.
            values = [
                v.replace(".123", ".123456789+08:00")
                if isinstance(v, str) and v.startswith("2024-05-01")
                else v
                for v in values
            ]
            db.execute(sql.replace("%s", "?"), values)


async def mysql_conn(database: str | None = None) -> Any:
    import aiomysql

    parts = urlsplit(MYSQL_ROOT)
    return await aiomysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        db=database,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(params=["sqlite", "mysql"])
async def mn(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MnWorld]:
    keys = {
        "dtalk": "WY",
        "email": "WY",
        "hook": "WY",
        "nest": "WY",
        "bad": "WY",
        "task": "TK",
        "tpl": "TP",
        "cron": "CM",
        "cron6": "CM",
        "i1": "IN",
        "i2": "IN",
        "i3": "IN",
        "i4": "IN",
        "i5": "IN",
        "i6": "IN",
        "i7": "IN",
        "i8": "IN",
        "plain": "WY",
        "bark": "WY",
        "tg": "WY",
        "qwapp": "WY",
        "ntfy": "WY",
        "hkey": "hk",
        "cron_every": "CM",
        "cron_daily": "CM",
        "account": "mn",
    }
    ids = {key: mn_id(prefix) for key, prefix in keys.items()}
    if request.param == "sqlite":
        path = tmp_path / "message-nest.db"
        await asyncio.to_thread(build_sqlite, path, ids)
        yield MnWorld(str(path), ids)
        return
    try:
        root = await mysql_conn()
    except Exception as exc:
        pytest.skip(f"MariaDB unreachable at {MYSQL_ROOT}: {exc}")
    name = f"mn_src_{secrets.token_hex(4)}"
    try:
        async with root.cursor() as cur:
            await cur.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
            await cur.execute(f"USE {name}")
            for statement in TABLES:
                await cur.execute(statement)
            for sql, values in inserts(ids):
                await cur.execute(sql, values)
        yield MnWorld(f"{MYSQL_ROOT}/{name}", ids)
    finally:
        async with root.cursor() as cur:
            await cur.execute(f"DROP DATABASE IF EXISTS {name}")
        root.close()


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return SecretBox(settings.secret_key.get_secret_value())


def outgoing_text(text: str) -> Outgoing:
    return Outgoing(
        message_id=1,
        delivery_id=1,
        attempt=1,
        title="",
        body=text,
        format=Format.TEXT,
        text=text,
        url="",
        receivers=(),
        mentions=Mentions(),
        options={},
        idempotency_key="k",
    )


async def counts(owner: User) -> dict[str, int]:
    return {
        "channels": await Channel.filter(owner_id=owner.id).count(),
        "tasks": await Task.filter(owner_id=owner.id).count(),
        "templates": await Template.filter(owner_id=owner.id).count(),
        "bindings": await Binding.filter(channel__owner_id=owner.id).count(),
        "cron": await CronJob.filter(owner_id=owner.id).count(),
        "inbox": await InboxItem.filter(user_id=owner.id).count(),
    }


@pytest.fixture(autouse=True)
async def site_row() -> AsyncIterator[None]:
    """Imports set the site title and logo: put the session's row back afterwards."""
    before = await SiteSettings.get_or_none(id=SITE_SETTINGS_ID)
    await SiteSettings.filter(id=SITE_SETTINGS_ID).delete()
    yield
    await SiteSettings.filter(id=SITE_SETTINGS_ID).delete()
    if before is not None:
        await before.save(force_create=True)


async def test_import_maps_everything_and_is_idempotent(
    mn: MnWorld, admin: GraphQLClient, server: str, box: SecretBox, runtime_box: Any
) -> None:
    client, username = await new_member(admin)
    owner = await User.get(username=username)
    ids = mn.ids
    # The sample's SMTP server and webhook are on 127.0.0.1: the operator allowed private targets.
    report = await import_message_nest(
        mn.source, box, owner=username, inbox_user=username, allow_private_targets=True
    )
    text = report.render()

    # Ways → channels; the bad one is reported, not imported.
    assert report.counts["channels"].created == 9, text
    assert any(ids["bad"] in line and "baseUrl" in line for line in report.unmapped), report.unmapped
    channels = {c.name: c for c in await Channel.filter(owner_id=owner.id)}
    assert {n: c.type for n, c in channels.items()} == {
        "DingTalk robot": "dingtalk",
        "Company SMTP": "email",
        "My hook": "webhook",
        "Plain hook": "webhook",
        "Inbox": "inbox",
        "iPhone": "bark",
        "Phone ntfy": "ntfy",
        "TG": "telegram",
        "WeCom app": "wecom_app",
    }
    dingtalk = channels["DingTalk robot"]
    assert dingtalk.config == {"base_url": "https://oapi.dingtalk.com", "keyword": "alert"}
    assert runtime_box(dingtalk) == {"access_token": "dt-token", "secret": "SECabc"}
    email = channels["Company SMTP"]
    assert email.config["security"] == "ssl" and email.config["from_address"] == "bot@example.com"
    assert runtime_box(email) == {"password": "smtp-pass"}
    hook = channels["My hook"].config
    assert "headers" not in hook and hook["body_template"] == '{"msg": "{{text}}"}'
    assert runtime_box(channels["My hook"]) == {"headers": "X-Token: abc"}  # sealed like other secrets
    # Bark encryption, ntfy's icon and actions carry over (they were dropped before).
    assert runtime_box(channels["iPhone"]) == {"device_key": "devkey1", "encryption_key": "k" * 16}
    assert channels["iPhone"].config["encryption_iv"] == "i" * 16
    ntfy_config = channels["Phone ntfy"].config
    assert ntfy_config["icon"] == "https://example.com/i.png"
    assert ntfy_config["actions"] == "view, Open, https://example.com"
    # Per-channel proxies: an HTTP one with its credentials sealed; SOCKS is reported, its password not.
    assert channels["TG"].config["proxy_url"] == "http://proxy.example.com:3128"
    assert runtime_box(channels["TG"])["proxy_credentials"] == "px:p@ss"
    assert "proxy_url" not in channels["WeCom app"].config
    assert any(ids["qwapp"] in n and "SOCKS" in n for n in report.notes), report.notes
    assert "pw@" not in text and "p%40ss" not in text
    # A plain-text body is sent as text, not refused at every send as invalid JSON.
    plain = channels["Plain hook"].config
    assert plain["body_template"] == "{{text}}" and plain["content_type"].startswith("text/plain")
    plain_config = webhook.Config.model_validate(plain)
    assert webhook.render_body(plain_config, outgoing_text('say "hi"')) == 'say "hi"'

    # The task keeps its Message Nest id; its instances became bindings (the one on the bad way is reported).
    task = await Task.get(legacy_id=ids["task"])
    assert task.owner_id == owner.id and task.name == "Deploys"
    bindings = await Binding.filter(task_id=task.id).select_related("channel").order_by("position")
    by_name = {b.channel.name: b for b in bindings}
    assert {n: b.format for n, b in by_name.items()} == {
        "My hook": "text",
        "Inbox": "text",
        "Company SMTP": "html",
        "DingTalk robot": "text",
        "Plain hook": "text",
    }
    assert by_name["Inbox"].options == {
        "usernames": [username],
        "public_preview": False,
        "blacklist_regex": "^debug",
    }
    # Message Nest used the keyword only for its test button.
    assert by_name["DingTalk robot"].options["append_keyword"] is False
    assert by_name["Company SMTP"].options["to"] == ["ops@example.com"]
    assert any(ids["i4"] in line and ids["bad"] in line for line in report.unmapped), report.unmapped

    template = await Template.get(legacy_id=ids["tpl"])
    assert template.text_body == "Hello {{name}}: {{state}}" and template.markdown_body == "**{{name}}**"
    assert [p["key"] for p in template.placeholders] == ["name", "state"]
    assert template.placeholders[0]["default"] == "world"
    assert template.mention_mobiles == ["13800000000", "13900000000"]
    tpl_bindings = (
        await Binding.filter(template_id=template.id).select_related("channel").order_by("position")
    )
    assert {b.channel.name: b.format for b in tpl_bindings} == {"Inbox": "text", "My hook": "markdown"}

    job = await CronJob.get(legacy_id=ids["cron"])
    assert (job.expression, job.timezone, job.task_id) == ("0 9 * * 1", "Asia/Shanghai", task.id)
    assert job.payload == {"title": "Weekly report", "text": "It is Monday", "url": "https://example.com/r"}
    assert job.next_run_at is not None
    assert any(ids["cron6"] in line for line in report.unmapped)
    # Message Nest's scheduler (robfig/cron) descriptors are kept as they are.
    every = await CronJob.get(legacy_id=ids["cron_every"])
    assert every.expression == "@every 2h" and every.next_run_at is not None
    assert every.next_run_at - datetime.now(UTC) <= timedelta(hours=2)
    assert (await CronJob.get(legacy_id=ids["cron_daily"])).expression == "@daily"
    assert any("Asia/Shanghai" in note for note in report.notes)

    inbox = await InboxItem.filter(user_id=owner.id).order_by("created_at")
    assert [(i.title, i.format) for i in inbox] == [
        ("First", "text"),
        ("Second", "markdown"),
        ("Undated", "text"),
    ]
    assert inbox[0].created_at.isoformat().startswith("2024-05-01T02:00:00")  # 10:00 in Shanghai
    assert all(i.legacy_id for i in inbox)  # kept by the inbox retention
    assert any("hosted message" in n and "no usable timestamp" in n for n in report.notes), report.notes

    # Send logs became messages with their outcome; the cleanup job's runs were left out, and said so.
    history = await Message.filter(owner_id=owner.id, legacy_id__isnull=False).order_by("created_at")
    assert [(m.task_id, m.template_id, m.status.value, m.source) for m in history] == [
        (task.id, None, "succeeded", "message-nest"),
        (None, template.id, "failed", "message-nest"),
    ]
    assert history[0].title == "Deployed" and "发送成功" in history[0].text
    assert history[0].created_at.isoformat().startswith("2024-05-01T02:00:00")
    assert history[0].caller_ip == "203.0.113.7" and history[1].source_name == "Alert"
    assert any("cleanup" in line for line in report.left_out), report.left_out
    assert any("send log" in n and "no usable timestamp" in n for n in report.notes), report.notes
    # …and the console's send log shows them with their outcome.
    listed = (await client.call(HISTORY, {"t": task.id}))["messages"]["nodes"]
    assert [(m["source"], m["status"], m["title"]) for m in listed] == [
        ("message-nest", "SUCCEEDED", "Deployed")
    ]

    # Statistics: Message Nest's daily counts, per task/template and in the totals.
    stats = (await client.call(STATS))["stats"]
    assert (stats["sent"], stats["succeeded"], stats["failed"]) == (14, 12, 2)
    targets = {(t["taskId"], t["templateId"]): (t["sent"], t["failed"]) for t in stats["targets"]}
    assert targets[(task.id, None)] == (7, 2) and targets[(None, template.id)] == (3, 0)

    # Login log entries are in the audit log; the admin account was created with a forced change.
    imported_logins = await AuditLog.filter(action="login", actor_id=None)
    logins = [a for a in imported_logins if ids["task"] in str(a.diff.get("userAgent"))]
    assert sorted(a.ip for a in logins) == ["198.51.100.1", "198.51.100.2"]
    account = await User.get(username=ids["account"].lower())
    assert account.role.value == "admin" and account.must_change_password
    assert any("admin" in n and "password was kept" in n for n in report.notes), report.notes

    # Site settings: the title and logo; what has no place in PushNest is listed with the reason.
    site = await SiteSettings.get(id=SITE_SETTINGS_ID)
    assert site.title == "Ops Nest" and (site.logo_url or "").startswith("data:image/svg+xml;base64,")
    left_out = "\n".join(report.left_out)
    for item in ("slogan", "theme_color", "log_config", "hosted_msg_config", "qyweixin_app_token"):
        assert item in left_out, left_out
    assert "cached-secret" not in report.render()

    # A second run finds everything and creates nothing.
    before = await counts(owner)
    again = await import_message_nest(
        mn.source, box, owner=username, inbox_user=username, allow_private_targets=True
    )
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values()), again.render()
    assert again.counts["channels"].skipped == 9 and again.counts["inbox_items"].skipped == 3
    assert again.counts["messages"].skipped == 2 and again.counts["audit_log"].skipped == 2
    assert await counts(owner) == before
    assert (await client.call(STATS))["stats"]["sent"] == 14

    # Old callers: the hex token of the Message Nest task id works with v1, the template's with v2.
    made = await client.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}})
    key = made["createApiKey"]["key"]
    response = await client.http.post(
        "/api/v1/message/send",
        json={"token": legacy_token.encode(ids["task"]), "title": "Hi", "text": "deployed", "key": key},
    )
    assert response.status_code == 200, response.text
    message = await Message.get(id=response.json()["data"]["message_id"])
    assert message.task_id == task.id and message.source == "rest-v1"
    response = await client.http.post(
        "/api/v2/message/send",
        json={"token": legacy_token.encode(ids["tpl"]), "title": "ignored", "placeholders": {"name": "Ann"}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    assert (await Message.get(id=response.json()["data"]["message_id"])).template_id == template.id

    # Day one without touching any caller: an admin accepts the imported task's Message Nest token,
    # and Message Nest's documented token-only requests work unchanged (v1 POST, the GET form).
    switch = "mutation($id: Int!) { updateTask(id: $id, input: {acceptLegacyToken: true}) { legacyToken } }"
    token = legacy_token.encode(ids["task"])
    assert (await admin.call(switch, {"id": task.id}))["updateTask"]["legacyToken"] == token
    async with httpx.AsyncClient(base_url=server) as anonymous:
        posted = await anonymous.post(
            "/api/v1/message/send", json={"token": token, "title": "Hi", "text": "token only"}
        )
        fetched = await anonymous.get("/api/send", params={"token": token, "title": "Hi", "text": "GET"})
    for response in (posted, fetched):
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["code"], body["msg"]) == (200, "提交成功\uff01"), body
        message = await Message.get(id=body["data"]["message_id"])
        assert message.task_id == task.id and message.api_key_id is None


async def test_dry_run_writes_nothing(mn: MnWorld, admin: GraphQLClient, box: SecretBox) -> None:
    _, username = await new_member(admin)
    owner = await User.get(username=username)
    report = await import_message_nest(
        mn.source, box, owner=username, inbox_user=username, dry_run=True, allow_private_targets=True
    )
    assert report.counts["tasks"].created == 1 and report.dry_run
    assert await counts(owner) == dict.fromkeys(
        ("channels", "tasks", "templates", "bindings", "cron", "inbox"), 0
    )
    assert await Task.get_or_none(legacy_id=mn.ids["task"]) is None


async def test_ways_aimed_at_private_addresses_are_not_imported(
    mn: MnWorld, admin: GraphQLClient, box: SecretBox
) -> None:
    """Unless the operator allowed private targets, the same check as createChannel: reported, skipped."""
    _, username = await new_member(admin)
    owner = await User.get(username=username)
    report = await import_message_nest(mn.source, box, owner=username, inbox_user=username)
    names = {c.name for c in await Channel.filter(owner_id=owner.id)}
    assert names == {"DingTalk robot", "Inbox", "iPhone", "Phone ntfy", "TG", "WeCom app"}, report.render()
    refused = [line for line in report.unmapped if "private" in line]
    assert any("Company SMTP" in line and "config.host" in line for line in refused), report.unmapped
    assert any("My hook" in line and "config.url" in line for line in refused), report.unmapped


async def test_unreadable_sources_fail_clearly(server: str, box: SecretBox, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no SQLite database"):
        await import_message_nest(str(tmp_path / "absent.db"), box)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(SourceError, match="Message Nest database"):
        await import_message_nest(str(empty), box)
    with pytest.raises(SourceError, match="cannot connect"):
        await import_message_nest("mysql://nobody:x@127.0.0.1:1/none", box)


async def test_the_imported_account_must_choose_a_new_password(
    mn: MnWorld, admin: GraphQLClient, box: SecretBox
) -> None:
    """Message Nest kept the password in clear: it signs in once, and may only replace itself."""
    _, username = await new_member(admin)
    await import_message_nest(mn.source, box, owner=username, inbox_user=username, allow_private_targets=True)
    account = mn.ids["account"].lower()
    session = await admin.as_(None).call(LOGIN, {"u": account, "p": "weak"})
    client = admin.as_(session["login"]["token"])
    assert (await client.call("{ me { username mustChangePassword } }"))["me"] == {
        "username": account,
        "mustChangePassword": True,
    }
    refused = await client.fails("{ tasks { edges { node { id } } } }")
    assert refused["extensions"]["code"] == "PASSWORD_CHANGE_REQUIRED"

    changed = await client.call(CHANGE_PASSWORD, {"c": "weak", "n": "a-new-long-password"})
    client = admin.as_(changed["changePassword"]["token"])
    assert (await client.call("{ me { mustChangePassword } }"))["me"]["mustChangePassword"] is False
    await client.call("{ tasks { edges { node { id } } } }")
