"""Aliyun RPC signature v1 for SendSms: the channel against a by-hand computation and a published vector."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest

from schema.channels import aliyun_sms
from schema.channels.base import ChannelError, ErrorClass, Format, Mentions, Outgoing

# The worked example of Aliyun's SMS signature documentation (AccessKeySecret "testSecret"), quoted
# by many SDKs' tests: the same parameters must give the same Signature.
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="

UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def by_hand(secret: str, method: str, params: dict[str, str]) -> str:
    """The documented steps, written out without the channel's helpers."""

    def encode(value: str) -> str:
        return "".join(
            chr(byte) if chr(byte) in UNRESERVED else f"%{byte:02X}" for byte in value.encode("utf-8")
        )

    canonical = "&".join(f"{encode(k)}={encode(params[k])}" for k in sorted(params))
    string_to_sign = method + "&" + encode("/") + "&" + encode(canonical)
    mac = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def test_the_documented_example() -> None:
    assert by_hand("testSecret", "GET", DOC_PARAMS) == DOC_SIGNATURE
    assert aliyun_sms.sign("testSecret", "GET", DOC_PARAMS) == DOC_SIGNATURE


def test_the_string_to_sign_has_the_documented_shape() -> None:
    text = aliyun_sms.string_to_sign("GET", DOC_PARAMS)
    assert text.startswith("GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123")
    assert "SignName%3D%25E9%2598%25BF" in text and "Timestamp%3D2017-07-12T02%253A42%253A19Z" in text


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (" ", "%20"),
        ("*", "%2A"),
        ("~", "~"),
        ("+", "%2B"),
        ("/", "%2F"),
        ("a-b_c.d", "a-b_c.d"),
        ("中", "%E4%B8%AD"),
    ],
)
def test_percent_encoding_follows_rfc_3986(raw: str, encoded: str) -> None:
    assert aliyun_sms.percent_encode(raw) == encoded


def _config(**changes: str) -> aliyun_sms.Config:
    return aliyun_sms.Config.model_validate(
        {
            "access_key_id": "LTAIexample",
            "access_key_secret": "s3cret*key ~",
            "sign_name": "PushNest",
            "template_code": "SMS_1",
            "title_param": "title",
        }
        | changes
    )


def _outgoing(receivers: tuple[str, ...] = (), **options: object) -> Outgoing:
    return Outgoing(
        message_id=1,
        delivery_id=7,
        attempt=2,
        title="告警 * Alert",
        body="disk ~ 95% full",
        format=Format.TEXT,
        text="disk ~ 95% full",
        url="",
        receivers=receivers,
        mentions=Mentions(),
        options=options,
        idempotency_key="pn-d7",
        trace_id="abc123",
    )


def test_a_real_request_signs_the_same_by_hand() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    params = aliyun_sms.request_params(_outgoing(("13800000000", "13900000001")), _config(), now)
    assert params["Timestamp"] == "2026-01-02T03:04:05Z"
    assert params["SignatureNonce"] == "pn-d7-2-abc123" and params["OutId"] == "pn-d7"
    assert params["PhoneNumbers"] == "13800000000,13900000001"
    assert json.loads(params["TemplateParam"]) == {"content": "disk ~ 95% full", "title": "告警 * Alert"}
    for method in ("GET", "POST"):
        assert aliyun_sms.sign("s3cret*key ~", method, params) == by_hand("s3cret*key ~", method, params)


def test_binding_numbers_and_template_are_used_without_receivers() -> None:
    outgoing = _outgoing(phone_numbers=["13700000002"], template_code="SMS_2")
    params = aliyun_sms.request_params(outgoing, _config(), datetime.now(UTC))
    assert params["PhoneNumbers"] == "13700000002" and params["TemplateCode"] == "SMS_2"


def test_no_phone_number_is_a_permanent_failure() -> None:
    with pytest.raises(ChannelError) as caught:
        aliyun_sms.request_params(_outgoing(), _config(), datetime.now(UTC))
    assert caught.value.error_class is ErrorClass.PERMANENT


@pytest.mark.parametrize(
    ("status", "code", "message", "expected", "wait"),
    [
        (200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1", ErrorClass.RATE_LIMITED, 60.0),
        (200, "isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5", ErrorClass.RATE_LIMITED, 3600.0),
        (
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
            ErrorClass.RATE_LIMITED,
            1.0,
        ),
        (200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", ErrorClass.PERMANENT, None),
        (400, "SignatureDoesNotMatch", "Specified signature is not matched", ErrorClass.PERMANENT, None),
        (
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
            ErrorClass.PERMANENT,
            None,
        ),
        (200, "isp.SYSTEM_ERROR", "系统错误", ErrorClass.RETRYABLE, None),
        (500, "InternalError", "unknown error", ErrorClass.RETRYABLE, None),
    ],
)
def test_answers_are_classified(
    status: int, code: str, message: str, expected: ErrorClass, wait: float | None
) -> None:
    response = httpx.Response(status, json={"Code": code, "Message": message, "RequestId": "R"})
    with pytest.raises(ChannelError) as caught:
        aliyun_sms.classify(response, "s3cret")
    assert caught.value.error_class is expected and caught.value.wait_seconds == wait
    assert code in caught.value.message and code in caught.value.vendor_response


def test_ok_is_success() -> None:
    response = httpx.Response(200, json={"Code": "OK", "Message": "OK", "BizId": "1^0", "RequestId": "R"})
    assert "BizId" in aliyun_sms.classify(response, "s3cret").vendor_response
