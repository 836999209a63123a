"""Email over SMTP (implicit TLS, STARTTLS or plain), HTML with a plain-text alternative.

One SMTP connection per send, through aiosmtplib rather than `ctx.http`: the host is resolved and
judged by the outbound-target policy once, and aiosmtplib speaks over a socket connected to that
address (so an SMTP host cannot be used to probe private networks). The envelope is driven step
by step (MAIL, RCPT per recipient, DATA) so a failure is classified by where it happened: a timeout
before DATA is retryable, one after the message was handed over has an unknown outcome.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import socket
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Literal

import aiosmtplib
from aiosmtplib.email import flatten_message
from pydantic import Field, SecretStr, field_validator

from schema.channels.base import (
    ChannelConfig,
    ChannelError,
    ChannelType,
    ErrorClass,
    FieldKind,
    Format,
    Outgoing,
    Receipt,
    SendContext,
    TargetHost,
    TargetPort,
)
from schema.channels.http import kept
from schema.channels.masking import scrub, secret_values
from schema.net.targets import TargetRefused, connect_public


def _check_address(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in value):
        raise ValueError(f"not an email address: {value!r}")
    return value


class Config(ChannelConfig):
    """An SMTP account."""

    host: TargetHost = Field(min_length=1, title="SMTP host", description="e.g. smtp.example.com")
    # Mode is chosen explicitly: STARTTLS against an implicit-TLS port hangs until the timeout.
    security: Literal["ssl", "starttls", "plain"] = Field(
        default="ssl",
        title="Security",
        description="ssl = implicit TLS (usually port 465), starttls = upgrade (587), plain = none (25)",
    )
    port: TargetPort = Field(default=465, ge=1, le=65535, title="Port")
    username: str = Field(
        default="", title="Username", description="Leave empty if the server needs no login"
    )
    password: SecretStr | None = Field(
        default=None, title="Password", description="QQ/163 mail want an authorization code here"
    )
    from_address: str = Field(title="From address", description="Usually the same as the username")
    from_name: str = Field(default="", title="From name")
    verify_certificate: bool = Field(default=True, title="Verify the server's TLS certificate")
    ca_certificate: str = Field(
        default="",
        title="CA certificate (PEM)",
        description="Trust this CA (e.g. a private or self-signed one) instead of the system's",
        json_schema_extra={"kind": FieldKind.TEXT.value},
    )
    timeout_seconds: int = Field(default=15, ge=1, le=300, title="Timeout (seconds)")

    @field_validator("from_address")
    @classmethod
    def _from_is_address(cls, value: str) -> str:
        return _check_address(value)


class BindingOptions(ChannelConfig):
    """Who receives the mail. Per-call receivers never share a To: each gets a mail of their own,
    or (`receivers_as` bcc) one mail reaches them all as Bcc. A call with receivers reaches them
    instead of the binding's own To/Cc/Bcc, as Message Nest's dynamic mode did."""

    to: list[str] = Field(default_factory=list, title="To")
    cc: list[str] = Field(default_factory=list, title="Cc")
    bcc: list[str] = Field(default_factory=list, title="Bcc", description="Not shown to other recipients")
    receivers_as: Literal["separate", "bcc"] = Field(
        default="separate",
        title="Per-call recipients",
        description="separate = one mail each; bcc = one mail, every recipient in Bcc. "
        "Either way no recipient sees another's address",
    )

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _are_addresses(cls, values: list[str]) -> list[str]:
        return [_check_address(v.strip()) for v in values if v.strip()]


# [inf] one Bcc mail to up to 50 per-call receivers; providers cap RCPTs near 100.
BCC_RECEIVERS_PER_SEND = 50
_THROTTLE_WORDS = ("too many", "rate", "limit", "throttl", "try again later", "slow down")
_THROTTLE_WAIT_SECONDS = 60.0
_SUBJECT_FALLBACK_CHARS = 60


def message_id(outgoing: Outgoing, from_address: str) -> str:
    """The same for every attempt of a delivery, so a retried mail can be recognised as a duplicate."""
    domain = from_address.rpartition("@")[2]
    # The trace id tells two PushNest installs with the same sending domain apart.
    salt = hashlib.sha256(f"{outgoing.trace_id}|{outgoing.message_id}".encode()).hexdigest()[:12]
    return f"<{outgoing.idempotency_key}.{salt}@{domain}>"


def valid_receivers(outgoing: Outgoing) -> tuple[list[str], list[str]]:
    """Per-call receivers split into addresses and the rest (which are skipped, and reported)."""
    valid, invalid = [], []
    for receiver in (r.strip() for r in outgoing.receivers):
        try:
            valid.append(_check_address(receiver))
        except ValueError:
            invalid.append(receiver)
    return valid, invalid


def _one_line(value: str) -> str:
    return " ".join(value.split())


def receivers_per_send(options: Mapping[str, Any]) -> int:
    """One receiver per delivery (so per mail) unless the binding sends them one mail as Bcc."""
    return BCC_RECEIVERS_PER_SEND if options.get("receivers_as") == "bcc" else 1


def _recipients(outgoing: Outgoing, options: BindingOptions) -> tuple[list[str], list[str], list[str]]:
    """To, Cc and Bcc: the binding's own, or the call's receivers (alone in To, or all in Bcc)."""
    receivers = list(dict.fromkeys(valid_receivers(outgoing)[0]))
    if not outgoing.receivers:
        to = list(dict.fromkeys(options.to))
        cc = [a for a in dict.fromkeys(options.cc) if a not in to]
        return to, cc, [a for a in dict.fromkeys(options.bcc) if a not in to and a not in cc]
    if options.receivers_as == "bcc" or len(receivers) > 1:
        # Never a shared To: a delivery planned with several receivers reaches them as Bcc.
        return [], [], receivers
    return receivers, [], []


def build_message(outgoing: Outgoing, config: Config) -> tuple[EmailMessage, list[str]]:
    """The message (without a Bcc header) and every envelope recipient (To, Cc and Bcc)."""
    options = BindingOptions.model_validate(dict(outgoing.options))
    to, cc, bcc = _recipients(outgoing, options)
    if not (to or cc or bcc):
        raise ChannelError(
            "no (valid) recipients: set To/Cc/Bcc on the binding or pass email addresses",
            ErrorClass.PERMANENT,
        )
    message = EmailMessage()
    message["From"] = Address(_one_line(config.from_name), addr_spec=config.from_address)
    # RFC 5322 group syntax for "no visible recipient": the Bcc-only mail.
    message["To"] = ", ".join(to) if to else "undisclosed-recipients:;"
    if cc:
        message["Cc"] = ", ".join(cc)
    first_line = outgoing.text.strip().split("\n", 1)[0][:_SUBJECT_FALLBACK_CHARS]
    # Non-ASCII subjects are written as RFC 2047 encoded-words when the message is flattened.
    message["Subject"] = _one_line(outgoing.title or first_line) or "(no subject)"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(outgoing, config.from_address)
    message["X-PushNest-Delivery"] = outgoing.idempotency_key
    text = outgoing.text if outgoing.format is not Format.TEXT else outgoing.body
    if outgoing.url:
        text = f"{text}\n\n{outgoing.url}"
    message.set_content(text)
    if outgoing.format is Format.HTML:
        body = outgoing.body
        if outgoing.url:
            link = html.escape(outgoing.url, quote=True)
            body = f'{body}\n<p><a href="{link}">{link}</a></p>'
        message.add_alternative(body, subtype="html")
    return message, [*to, *cc, *bcc]


def _tls_context(config: Config) -> ssl.SSLContext | None:
    if config.security == "plain":
        return None
    context = ssl.create_default_context(cadata=config.ca_certificate or None)
    if not config.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _mask(text: str, config: Config) -> str:
    return scrub(text, secret_values(config), mask="***")


def classify_reply(code: int, text: str, what: str) -> ChannelError:
    """[inf] RFC 5321: 4xx is temporary ("too many…" = throttled), 5xx is final."""
    answer = f"{code} {text}".strip()
    if 400 <= code < 500:
        if code in (421, 450, 451, 452) and any(w in text.lower() for w in _THROTTLE_WORDS):
            wait = _THROTTLE_WAIT_SECONDS
            return ChannelError(f"{what}: throttled ({code})", ErrorClass.RATE_LIMITED, wait, answer)
        return ChannelError(
            f"{what}: temporary failure ({code})", ErrorClass.RETRYABLE, vendor_response=answer
        )
    # 530/535 login or TLS required (config), 550/553 mailbox (recipient), 552/554 size or content.
    return ChannelError(f"{what}: refused ({code})", ErrorClass.PERMANENT, vendor_response=answer)


def _tls_verify_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _transaction(smtp: aiosmtplib.SMTP, message: EmailMessage, sender: str, rcpts: list[str]) -> str:
    """MAIL, RCPT for each recipient, DATA. Returns what the server answered, with any refusals."""
    if smtp.last_ehlo_response is None:
        await smtp.ehlo()
    eight_bit = smtp.supports_extension("8BITMIME")
    flat = flatten_message(message, cte_type="8bit" if eight_bit else "7bit")
    await smtp.mail(sender, options=["BODY=8BITMIME"] if eight_bit else [])
    refused: dict[str, aiosmtplib.SMTPRecipientRefused] = {}
    for rcpt in rcpts:
        try:
            await smtp.rcpt(rcpt)
        except aiosmtplib.SMTPRecipientRefused as exc:
            refused[rcpt] = exc
    if len(refused) == len(rcpts):
        # Every recipient refused: classified by the most hopeful answer (a 4xx may still pass).
        worst = min(refused.values(), key=lambda e: e.code)
        error = classify_reply(worst.code, worst.message, "all recipients refused")
        error.vendor_response = kept("; ".join(f"{r}: {e.code} {e.message}" for r, e in refused.items()))
        raise error
    try:
        response = await smtp.data(flat)
    except (aiosmtplib.SMTPReadTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
        raise ChannelError(
            f"no answer after the message was sent: {type(exc).__name__}", ErrorClass.UNKNOWN
        ) from None
    answer = f"{response.code} {response.message}"
    if refused:
        listed = ", ".join(f"{r} ({e.code} {e.message})" for r, e in refused.items())
        answer += f"; accepted {len(rcpts) - len(refused)} of {len(rcpts)}; refused: {listed}"
    return answer


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    """Say goodbye; the mail was accepted already, so a failing QUIT changes nothing."""
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await smtp.quit()


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    message, rcpts = build_message(outgoing, config)
    timeout = min(float(config.timeout_seconds), ctx.timeout_seconds)
    connected = await _connect(config, ctx, timeout)
    sock: socket.socket | None = connected  # ours to close until aiosmtplib takes it
    smtp: aiosmtplib.SMTP | None = None
    try:
        smtp = _client(config, connected, timeout)
        # From here the socket belongs to asyncio's transport, which closes it (closing it here
        # too would free its descriptor while the transport still has it registered).
        sock = None
        await smtp.connect()
        answer = await _transaction(smtp, message, config.from_address, rcpts)
        await _quit(smtp)
    except ChannelError as exc:
        exc.message, exc.vendor_response = _mask(exc.message, config), _mask(exc.vendor_response, config)
        raise
    except aiosmtplib.SMTPResponseException as exc:
        stage = "login" if isinstance(exc, aiosmtplib.SMTPAuthenticationError) else "the server"
        error = classify_reply(exc.code, _mask(exc.message, config), stage)
        error.vendor_response = kept(_mask(error.vendor_response, config))
        raise error from None
    except (ValueError, aiosmtplib.SMTPException, OSError) as exc:
        raise _failure(exc, config) from None
    finally:
        if smtp is not None:
            smtp.close()
        if sock is not None:
            sock.close()
    skipped = valid_receivers(outgoing)[1]
    if skipped:
        answer += f"; skipped (not addresses): {', '.join(repr(r) for r in skipped)}"
    return Receipt(kept(_mask(answer, config)))


def _client(config: Config, sock: socket.socket, timeout: float) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        # Connected already, to the address the target policy judged; the name is kept for TLS
        # (SNI and the certificate check).
        hostname=config.host,
        sock=sock,
        username=config.username or None,
        password=config.password.get_secret_value() if config.password and config.username else None,
        # The platform's send timeout bounds every SMTP step, so the engine never has to cut us off.
        timeout=timeout,
        use_tls=config.security == "ssl",
        start_tls=config.security == "starttls",
        validate_certs=config.verify_certificate,
        tls_context=_tls_context(config),
    )


async def _connect(config: Config, ctx: SendContext, seconds: float) -> socket.socket:
    """A TCP connection to the server through an address the target policy admitted."""
    try:
        return await connect_public(config.host, config.port, seconds, ctx.allow_private_targets, ctx.resolve)
    except TargetRefused as exc:
        raise ChannelError(exc.message, ErrorClass.PERMANENT) from None
    except OSError as exc:
        raise ChannelError(
            f"SMTP connection failed: {type(exc).__name__}: {_mask(str(exc), config)}"[:500],
            ErrorClass.RETRYABLE,
        ) from None


def _failure(exc: Exception, config: Config) -> ChannelError:
    if _tls_verify_failure(exc):  # (an SSLCertVerificationError is also a ValueError)
        return ChannelError(
            "the server's TLS certificate is not trusted (set a CA certificate or turn verification off)",
            ErrorClass.PERMANENT,
        )
    transport = (aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected)
    if isinstance(exc, ValueError) or (
        isinstance(exc, aiosmtplib.SMTPException) and not isinstance(exc, transport)
    ):
        # Refused on our side: an address the server cannot take, or AUTH/TLS the server does not offer.
        return ChannelError(f"cannot send: {_mask(str(exc), config)}"[:500], ErrorClass.PERMANENT)
    # Connect errors, timeouts and drops before DATA: nothing was handed over.
    return ChannelError(
        f"SMTP connection failed: {type(exc).__name__}: {_mask(str(exc), config)}"[:500], ErrorClass.RETRYABLE
    )


CHANNEL_TYPE = ChannelType(
    key="email",
    label="Email (SMTP)",
    config_model=Config,
    formats=(Format.HTML, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="email",
    receivers_per_send=BCC_RECEIVERS_PER_SEND,
    receivers_per_send_for=receivers_per_send,
    send=send,
    description="Send mail through any SMTP server; many To/Cc/Bcc per message.",
)
