"""Message Nest ways and instances → PushNest channel configs and binding options (pure functions).

A way's `auth` JSON keys are renamed to the PushNest channel type's config fields; an instance's
`config` JSON becomes the binding's options. Nothing here validates against PushNest's models:
the caller does, so a bad way is reported with the model's own message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from schema.channels.base import ChannelType

# Message Nest way type → PushNest channel type key.
TYPE_MAP = {
    "Email": "email",
    "Dtalk": "dingtalk",
    "QyWeiXin": "wecom_robot",
    "QyWeiXinApp": "wecom_app",
    "Feishu": "feishu",
    "Custom": "webhook",
    "WeChatOFAccount": "wechat_oa",
    "MessageNest": "inbox",
    "AliyunSMS": "aliyun_sms",
    "Telegram": "telegram",
    "Bark": "bark",
    "PushMe": "pushme",
    "Ntfy": "ntfy",
    "Gotify": "gotify",
}
# Ways whose instances may take per-call recipients (`allowMultiRecip`).
_DYNAMIC = {"Email", "WeChatOFAccount", "AliyunSMS", "QyWeiXinApp"}
_BARK_LEVELS = {"active", "timeSensitive", "passive", "critical"}


class MappingError(Exception):
    """A source row that cannot become a PushNest row; the message says why."""


@dataclass
class Mapped:
    """A translated config or options, and what was dropped on the way (for the report)."""

    values: dict[str, Any]
    dropped: list[str] = field(default_factory=list)


def parse_json_object(raw: Any, what: str) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(str(raw))
    except ValueError:
        raise MappingError(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise MappingError(f"{what} is not a JSON object")
    return value


def _s(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _int(data: dict[str, Any], key: str) -> int | None:
    value = _s(data, key)
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise MappingError(f"{key} is not a number: {value!r}") from None


def _dropped(auth: dict[str, Any], keys: tuple[str, ...], why: str) -> list[str]:
    return [f"{key} ({why})" for key in keys if _s(auth, key)]


def channel_config(mn_type: str, auth: dict[str, Any], instances: list[dict[str, Any]]) -> Mapped:
    """The PushNest config for a way; `instances` are the way's instance configs (AliyunSMS needs one)."""
    out: dict[str, Any]
    dropped: list[str] = []
    if mn_type == "Email":
        port = _int(auth, "port")
        out = {
            "host": _s(auth, "server"),
            "port": port,
            "security": "ssl" if port == 465 else "starttls",
            "username": _s(auth, "account"),
            "password": _s(auth, "passwd"),
            "from_address": _s(auth, "account"),
            "from_name": _s(auth, "from_name"),
        }
    elif mn_type in ("Dtalk", "Feishu"):
        token_field = "access_token" if mn_type == "Dtalk" else "token"
        out = {
            token_field: _s(auth, "access_token"),
            "secret": _s(auth, "secret"),
            "keyword": _s(auth, "keys"),
        }
    elif mn_type == "QyWeiXin":
        out = {"key": _s(auth, "access_token")}
    elif mn_type == "QyWeiXinApp":
        out = {
            "corp_id": _s(auth, "corp_id"),
            "corp_secret": _s(auth, "secret"),
            "agent_id": _int(auth, "agent_id"),
            "base_url": _s(auth, "api_host"),
        }
        dropped = _proxy(auth, out)
    elif mn_type == "Custom":
        out, dropped = _webhook(auth)
    elif mn_type == "WeChatOFAccount":
        out = {
            "app_id": _s(auth, "appID"),
            "app_secret": _s(auth, "appsecret"),
            "template_id": _s(auth, "tempid"),
        }
    elif mn_type == "MessageNest":
        out = {}
    elif mn_type == "AliyunSMS":
        codes = [_s(c, "template_code") for c in instances if _s(c, "template_code")]
        if not codes:
            raise MappingError("no template_code: Message Nest keeps it per instance and no instance has one")
        out = {
            "access_key_id": _s(auth, "access_key_id"),
            "access_key_secret": _s(auth, "access_key_secret"),
            "sign_name": _s(auth, "sign_name"),
            "region_id": _s(auth, "region_id"),
            "template_code": codes[0],
        }
    elif mn_type == "Telegram":
        out = {
            "bot_token": _s(auth, "bot_token"),
            "chat_id": _s(auth, "chat_id"),
            "base_url": _s(auth, "api_host"),
        }
        dropped = _proxy(auth, out)
    elif mn_type == "Bark":
        out, dropped = _bark(auth)
    elif mn_type == "PushMe":
        out = {"push_key": _s(auth, "push_key"), "base_url": _s(auth, "url")}
        dropped = _dropped(auth, ("date", "type"), "not supported; PushNest sets the type from the format")
    elif mn_type == "Ntfy":
        out = {
            "base_url": _s(auth, "url"),
            "topic": _s(auth, "topic"),
            "priority": _int(auth, "priority"),
            "access_token": _s(auth, "token"),
            "username": _s(auth, "username"),
            "password": _s(auth, "password"),
            "icon": _s(auth, "icon"),
            "actions": _s(auth, "actions"),
        }
    elif mn_type == "Gotify":
        out = {
            "base_url": _s(auth, "url"),
            "app_token": _s(auth, "token"),
            "priority": _int(auth, "priority"),
        }
    else:
        raise MappingError(f"unknown way type {mn_type!r}")
    # Empty values are left out, so PushNest's defaults apply (or a required field is reported).
    return Mapped({k: v for k, v in out.items() if v not in ("", None)}, dropped)


def _proxy(auth: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Message Nest's `proxy_url` (http, https or socks5, user:password inside) → PushNest's proxy
    URL and credentials; socks5 cannot be carried over. Message Nest ignored it when `api_host` was
    set (a reverse proxy in place of the vendor), and so does this."""
    raw = _s(auth, "proxy_url")
    if not raw or _s(auth, "api_host"):
        return [f"proxy_url {_shown_proxy(raw)!r} (Message Nest ignored it: api_host is set)"] if raw else []
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"proxy_url {_shown_proxy(raw)!r} (PushNest sends through HTTP(S) proxies only, not SOCKS)"]
    out["proxy_url"] = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    if parts.username:
        out["proxy_credentials"] = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return []


def _shown_proxy(raw: str) -> str:
    """A proxy URL for the report, without its password."""
    parts = urlsplit(raw)
    return raw.replace(f":{parts.password}@", ":***@") if parts.password else raw


def _webhook(auth: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    headers, content_type = [], "application/json"
    for line in _s(auth, "header").splitlines():
        name, colon, value = line.partition(":")
        if not line.strip():
            continue
        if colon and name.strip().lower() == "content-type":
            content_type = value.strip()
        else:
            headers.append(line.strip())
    # Message Nest replaces the literal word TEXT with the JSON-escaped text; PushNest uses {{text}}.
    body = _s(auth, "body").replace("TEXT", "{{text}}")
    notes: list[str] = []
    if body and _is_json_type(content_type) and not _renders_json(body):
        # A plain-text body ("TEXT", "alert: TEXT"): PushNest would refuse every send as invalid
        # JSON, so it is sent as what it is, the text.
        notes.append(f"Content-Type {content_type} (the body is plain text, sent as text/plain)")
        content_type = "text/plain; charset=utf-8"
    return {
        "url": _s(auth, "webhook"),
        "method": "POST",
        "headers": headers,
        "content_type": content_type,
        "body_template": body,
    }, notes


def _is_json_type(content_type: str) -> bool:
    media = content_type.lower().split(";")[0].strip()
    return media == "application/json" or media.endswith("+json")


def _renders_json(body: str) -> bool:
    """Whether the body is JSON once its placeholders hold text (as PushNest checks at send time)."""
    try:
        json.loads(body.replace("{{text}}", "x"))
    except ValueError:
        return False
    return True


def _bark(auth: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    push_key, base_url = _s(auth, "push_key"), ""
    if push_key.lower().startswith(("http://", "https://")):
        parts = urlsplit(push_key.rstrip("/"))
        head, _, push_key = parts.path.rpartition("/")
        base_url = f"{parts.scheme}://{parts.netloc}{head}"
    out: dict[str, Any] = {
        "base_url": base_url,
        "device_key": push_key,
        "sound": _s(auth, "sound"),
        "group": _s(auth, "group"),
        "icon": _s(auth, "icon"),
    }
    dropped = _dropped(auth, ("url",), "PushNest sends the message's own URL")
    if _s(auth, "key") or _s(auth, "iv"):
        # Message Nest encrypted only with both set (AES-CBC, as PushNest does).
        out["encryption_key"], out["encryption_iv"] = _s(auth, "key"), _s(auth, "iv")
    level = _s(auth, "level")
    if level in _BARK_LEVELS:
        out["level"] = level
    elif level:
        dropped.append(f"level {level!r} (not a Bark level)")
    archive = _s(auth, "archive").lower()
    if archive:
        out["archive"] = archive not in ("0", "false", "no", "off")
    return out, dropped


def binding_options(
    mn_type: str, config: dict[str, Any], channel_config: dict[str, Any], inbox_user: str
) -> tuple[Mapped, bool]:
    """The binding options for an instance's config, and whether it takes per-call recipients."""
    options: dict[str, Any] = {}
    dropped: list[str] = []
    if mn_type == "Email" and _s(config, "to_account"):
        options["to"] = [_s(config, "to_account")]
    elif mn_type == "WeChatOFAccount" and _s(config, "to_account"):
        options["openids"] = [_s(config, "to_account")]
    elif mn_type == "QyWeiXinApp":
        for source, target in (("to_user", "touser"), ("to_party", "toparty"), ("to_tag", "totag")):
            values = [v.strip() for v in _s(config, source).split("|") if v.strip()]
            if values:
                options[target] = values
    elif mn_type == "AliyunSMS":
        phones = [v.strip() for v in _s(config, "phone_number").split(",") if v.strip()]
        if phones:
            options["phone_numbers"] = phones
        code = _s(config, "template_code")
        if code and code != channel_config.get("template_code"):
            options["template_code"] = code
    elif mn_type == "Dtalk":
        # Message Nest added the keyword only to its test message, never to a real send.
        options["append_keyword"] = False
    elif mn_type == "MessageNest":
        options["usernames"] = [inbox_user]
        if _s(config, "blacklist_regex"):
            options["blacklist_regex"] = _s(config, "blacklist_regex")
    dynamic = mn_type in _DYNAMIC and config.get("allowMultiRecip") in (True, "true", 1, "1")
    return Mapped(options, dropped), dynamic


def binding_format(kind: ChannelType, content_type: str) -> tuple[str, bool]:
    """The instance's content type if the channel sends it, else the channel's first format (False)."""
    formats = [f.value for f in kind.formats]
    wanted = content_type.strip().lower() or "text"
    return (wanted, True) if wanted in formats else (formats[0], False)
