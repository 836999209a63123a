"""A fake SMTP server (aiosmtpd Controller, vendors.md §4.6) in plain, STARTTLS or implicit-TLS mode.

What it checks: AUTH PLAIN/LOGIN against one user (535 otherwise), TLS before AUTH and MAIL when
STARTTLS is required (530), and that the client speaks TLS at once on the implicit-TLS port. It
records each accepted mail (envelope sender, envelope recipients incl. Bcc, raw content, parsed).

Scriptable: `reject[address] = "550 5.1.1 User unknown"` refuses a recipient at RCPT (every time);
`rcpt_faults[address]` holds one-shot RCPT answers; `data_faults` one-shot answers to DATA
("451 4.7.1 Too many messages"); `data_delays` one-shot hangs after the message arrived (the mail is
still recorded afterwards, as a real server may have queued it).

Runs in aiosmtpd's own thread and event loop; the recorded lists are read from the tests' loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "mailer@example.com", "pa55-w0rd-Secret"


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class Handler:
    mails: list[Mail] = field(default_factory=list)
    reject: dict[str, str] = field(default_factory=dict)
    rcpt_faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    data_faults: list[str] = field(default_factory=list)
    data_delays: list[float] = field(default_factory=list)
    data_commands: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_faults.get(address):
            return self.rcpt_faults[address].pop(0)
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.data_delays:
            await asyncio.sleep(self.data_delays.pop(0))
        if self.data_faults:
            return self.data_faults.pop(0)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 2.0.0 Message accepted for delivery"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    # handled=False: aiosmtpd then answers "535 5.7.8 Authentication credentials invalid" itself (its
    # default, handled=True, sends nothing and the client waits for a reply until it times out).
    return AuthResult(success=ok, handled=False)


def self_signed(directory: Path) -> tuple[Path, Path, str]:
    """A certificate for 127.0.0.1 (subjectAltName IP) and its key; returns (cert, key, cert PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pushnest-test-smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path, pem.decode()


class FakeSmtp:
    """One server in `mode` ("plain", "starttls" or "ssl") on 127.0.0.1:`port`."""

    def __init__(self, mode: str, port: int, cert: Path | None = None, key: Path | None = None) -> None:
        self.mode, self.port, self.handler = mode, port, Handler()
        kwargs: dict[str, Any] = {"authenticator": authenticator}
        if mode != "plain":
            assert cert is not None and key is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs |= (
                {"tls_context": context, "require_starttls": True}
                if mode == "starttls"
                else {
                    "ssl_context": context,
                    "auth_require_tls": False,  # aiosmtpd issue #281: implicit TLS is not seen as TLS
                }
            )
        else:
            kwargs["auth_require_tls"] = False
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port, **kwargs)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        self.handler.mails.clear()
        self.handler.reject.clear()
        self.handler.rcpt_faults.clear()
        self.handler.data_faults.clear()
        self.handler.data_delays.clear()
        self.handler.data_commands = 0
