"""Every channel type PushNest knows, by key: adding a channel is one line here."""

from __future__ import annotations

from schema.channels import (
    aliyun_sms,
    bark,
    dingtalk,
    discord,
    email,
    feishu,
    gotify,
    inbox,
    ntfy,
    pushme,
    slack,
    telegram,
    webhook,
    wechat_oa,
    wecom_app,
    wecom_robot,
)
from schema.channels.base import ChannelType
from schema.errors import BadInput

# Display order: the required channels first, then parity, then the rest.
CHANNEL_TYPES: dict[str, ChannelType] = {
    t.key: t
    for t in (
        email.CHANNEL_TYPE,
        dingtalk.CHANNEL_TYPE,
        wecom_robot.CHANNEL_TYPE,
        wechat_oa.CHANNEL_TYPE,
        webhook.CHANNEL_TYPE,
        inbox.CHANNEL_TYPE,
        wecom_app.CHANNEL_TYPE,
        feishu.CHANNEL_TYPE,
        telegram.CHANNEL_TYPE,
        bark.CHANNEL_TYPE,
        ntfy.CHANNEL_TYPE,
        gotify.CHANNEL_TYPE,
        pushme.CHANNEL_TYPE,
        aliyun_sms.CHANNEL_TYPE,
        slack.CHANNEL_TYPE,
        discord.CHANNEL_TYPE,
    )
}


def get_channel_type(key: str) -> ChannelType:
    """The channel type stored under `key`; unknown keys are the caller's mistake."""
    try:
        return CHANNEL_TYPES[key]
    except KeyError:
        raise BadInput(f"unknown channel type {key!r}", field="type") from None


def all_channel_types() -> list[ChannelType]:
    """All channel types in display order."""
    return list(CHANNEL_TYPES.values())
