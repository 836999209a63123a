"""Every registered channel type declares a usable config, binding model, formats and limits."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from schema.channels.base import PROXY_FIELDS, SECRET_KINDS, ChannelType, FieldKind
from schema.channels.masking import secret_values
from schema.channels.registry import CHANNEL_TYPES, all_channel_types, get_channel_type
from schema.errors import BadInput

# One valid, minimal account config per channel type.
VALID_CONFIGS: dict[str, dict[str, Any]] = {
    "email": {"host": "smtp.example.com", "from_address": "noreply@example.com"},
    "dingtalk": {"access_token": "abc123", "secret": "SECtestsecret0123456789abcdef"},
    "wecom_robot": {"key": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"},
    "wechat_oa": {"app_id": "wx1234567890", "app_secret": "s3cret", "template_id": "tpl-1"},
    "webhook": {"url": "https://hooks.example.com/in"},
    "inbox": {},
    "wecom_app": {"corp_id": "ww123", "corp_secret": "s3cret", "agent_id": 1000002},
    "feishu": {"token": "0f0e-hook-token"},
    "telegram": {"bot_token": "123456:ABC-DEF", "chat_id": "-1001234567890"},
    "bark": {"device_key": "devkey"},
    "ntfy": {"topic": "pushnest-alerts"},
    "gotify": {"base_url": "https://gotify.example.com", "app_token": "AbCdEf"},
    "pushme": {"push_key": "pk"},
    "aliyun_sms": {
        "access_key_id": "LTAI",
        "access_key_secret": "s3cret",
        "sign_name": "PushNest",
        "template_code": "SMS_123456789",
    },
    "slack": {"webhook_path": "T000/B000/XXXX"},
    "discord": {"webhook_id": "123456789", "webhook_token": "tok"},
}

REQUIRED_KEYS = ["email", "dingtalk", "wecom_robot", "wechat_oa", "webhook", "inbox"]

TYPES = pytest.mark.parametrize("ct", all_channel_types(), ids=lambda ct: ct.key)


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def test_registry_covers_every_channel_with_required_ones_first() -> None:
    assert set(CHANNEL_TYPES) == set(VALID_CONFIGS)
    assert list(CHANNEL_TYPES)[: len(REQUIRED_KEYS)] == REQUIRED_KEYS
    assert [ct.key for ct in all_channel_types()] == list(CHANNEL_TYPES)


def test_unknown_type_is_bad_input() -> None:
    with pytest.raises(BadInput) as caught:
        get_channel_type("carrier_pigeon")
    assert caught.value.field == "type"
    assert caught.value.code == "BAD_INPUT"


@TYPES
def test_key_matches_registry(ct: ChannelType) -> None:
    assert get_channel_type(ct.key) is ct
    assert ct.label and ct.description


@TYPES
def test_formats_are_non_empty_and_unique(ct: ChannelType) -> None:
    assert ct.formats
    assert len(set(ct.formats)) == len(ct.formats)


@TYPES
def test_limits_are_positive(ct: ChannelType) -> None:
    assert ct.max_body_bytes is None or ct.max_body_bytes > 0
    if ct.rate_limit is not None:
        assert ct.rate_limit.count > 0 and ct.rate_limit.per_seconds > 0


@TYPES
def test_fields_describe_and_secrets_are_secret(ct: ChannelType) -> None:
    specs = {spec.name: spec for spec in ct.config_fields()}
    declared = list(ct.config_model.model_fields)
    # Declaration order, except that a channel's own proxy comes last in forms.
    assert list(specs) == [n for n in declared if n not in PROXY_FIELDS] + [
        n for n in declared if n in PROXY_FIELDS
    ]
    for name, info in ct.config_model.model_fields.items():
        assert (specs[name].kind in SECRET_KINDS) == _is_secret(info.annotation), name
    for spec in ct.binding_fields():
        assert spec.kind not in SECRET_KINDS


@TYPES
def test_minimal_config_validates(ct: ChannelType) -> None:
    config = ct.config_model.model_validate(VALID_CONFIGS[ct.key])
    dumped = config.model_dump()
    for name in ct.secret_names():
        assert not isinstance(dumped[name], str), "secrets must not dump as plain strings"


@TYPES
def test_unknown_config_key_is_refused(ct: ChannelType) -> None:
    with pytest.raises(ValidationError, match="extra"):
        ct.config_model.model_validate({**VALID_CONFIGS[ct.key], "no_such_field": "x"})


@TYPES
def test_http_vendors_have_a_configurable_base_url(ct: ChannelType) -> None:
    if ct.key in ("email", "inbox", "webhook"):
        return
    assert "base_url" in ct.config_model.model_fields
    with pytest.raises(ValidationError):
        ct.config_model.model_validate({**VALID_CONFIGS[ct.key], "base_url": "ftp://example.com"})
    config = ct.config_model.model_validate({**VALID_CONFIGS[ct.key], "base_url": "http://127.0.0.1:9/"})
    assert getattr(config, "base_url") == "http://127.0.0.1:9"


@TYPES
def test_binding_model_has_defaults_and_forbids_extras(ct: ChannelType) -> None:
    ct.binding_model()
    with pytest.raises(ValidationError):
        ct.binding_model.model_validate({"no_such_option": 1})


def test_mentions_only_where_vendors_support_them() -> None:
    with_mentions = {ct.key for ct in all_channel_types() if ct.supports_mentions}
    assert with_mentions == {"dingtalk", "wecom_robot", "feishu"}


def test_dingtalk_secret_is_secret_and_limits_match_vendor() -> None:
    ct = get_channel_type("dingtalk")
    assert {"access_token", "secret"} <= ct.secret_names()
    assert ct.rate_limit is not None and (ct.rate_limit.count, ct.rate_limit.per_seconds) == (20, 60)
    assert ct.max_body_bytes == 20000


def test_email_port_must_be_a_port() -> None:
    email = get_channel_type("email").config_model
    with pytest.raises(ValidationError, match="port"):
        email.model_validate({**VALID_CONFIGS["email"], "port": 70000})
    with pytest.raises(ValidationError, match="from_address"):
        email.model_validate({**VALID_CONFIGS["email"], "from_address": "not-an-address"})


def test_email_recipients_must_be_addresses() -> None:
    binding = get_channel_type("email").binding_model
    assert binding.model_validate({"to": [" a@example.com "], "bcc": [""]}).model_dump() == {
        "to": ["a@example.com"],
        "cc": [],
        "bcc": [],
        "receivers_as": "separate",
    }
    with pytest.raises(ValidationError):
        binding.model_validate({"cc": ["nobody"]})


def test_webhook_refuses_non_http_url() -> None:
    webhook = get_channel_type("webhook").config_model
    for url in ("file:///etc/passwd", "javascript:alert(1)", "http://", "example.com/hook"):
        with pytest.raises(ValidationError):
            webhook.model_validate({"url": url})


def test_webhook_headers_and_body_template() -> None:
    ct = get_channel_type("webhook")
    config = ct.config_model.model_validate(
        {"url": "http://example.com", "headers": ["X-Token:  abc ", "Content-Language: zh"]}
    )
    assert getattr(config, "header_map")() == {"X-Token": "abc", "Content-Language": "zh"}
    for bad in ("no colon", "Bad Name: x", "X-Evil: a\r\nInjected: b"):
        with pytest.raises(ValidationError):
            ct.config_model.model_validate({"url": "http://example.com", "headers": [bad]})
    kinds = {spec.name: spec.kind for spec in ct.config_fields()}
    assert kinds["body_template"] is FieldKind.TEXT
    assert kinds["headers"] is FieldKind.SECRET_TEXT
    assert kinds["method"] is FieldKind.SELECT
    assert kinds["signing_secret"] is FieldKind.SECRET
    assert ct.secret_names() == {"headers", "signing_secret", "proxy_credentials"}


def test_webhook_headers_are_lines_of_one_secret() -> None:
    model = get_channel_type("webhook").config_model
    as_text = model.model_validate(
        {"url": "http://example.com", "headers": "Authorization: Bearer abc\n\nX-A: 1"}
    )
    as_list = model.model_validate(
        {"url": "http://example.com", "headers": ["Authorization: Bearer abc", "X-A: 1"]}
    )
    assert as_text == as_list
    assert getattr(as_text, "header_map")() == {"Authorization": "Bearer abc", "X-A": "1"}
    assert "Bearer abc" not in repr(as_text) and "Bearer abc" not in str(as_text.model_dump())
    assert model.model_validate({"url": "http://example.com", "headers": []}).headers is None  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"url": "http://example.com", "headers": "Authorization Bearer s3cr3t-value"})
    assert "s3cr3t" not in str(caught.value.errors()[0]["msg"])


def test_webhook_private_network_flag_moved_off_the_config() -> None:
    """Any owner could set it in the config; it is now the channel's admin-only flag."""
    with pytest.raises(ValidationError):
        get_channel_type("webhook").config_model.model_validate(
            {"url": "http://example.com", "allow_private_network": True}
        )


def test_inbox_takes_usernames_and_no_secrets() -> None:
    ct = get_channel_type("inbox")
    assert ct.receiver_kind == "username"
    assert not ct.secret_names()


def test_a_webhooks_header_values_count_as_its_secrets() -> None:
    config = get_channel_type("webhook").config_model.model_validate(
        {"url": "https://h/x", "headers": ["Authorization: Bearer tok-123456", "X-Api-Key: k-abcdef"]}
    )
    values = secret_values(config)
    assert {"Bearer tok-123456", "tok-123456", "k-abcdef"} <= set(values)
    assert values == tuple(sorted(values, key=len, reverse=True))


def test_every_http_channel_may_have_a_proxy_and_it_is_checked() -> None:
    """Telegram, WeCom app and every other channel that speaks HTTP; not mail or the inbox."""
    with_proxy = {ct.key for ct in all_channel_types() if "proxy_url" in ct.config_model.model_fields}
    assert with_proxy == {ct.key for ct in all_channel_types()} - {"email", "inbox"}
    config = get_channel_type("telegram").config_model
    ok = {"bot_token": "1:x", "chat_id": "1"}
    proxied = config.model_validate(ok | {"proxy_url": "http://proxy.example.com:3128/"})
    assert getattr(proxied, "proxy_url") == "http://proxy.example.com:3128"
    for bad in ("socks5://proxy:1080", "http://user:pw@proxy:3128", "ftp://proxy", "http://proxy/path"):
        with pytest.raises(ValidationError):
            config.model_validate(ok | {"proxy_url": bad})
    assert "proxy_credentials" in get_channel_type("telegram").secret_names()
