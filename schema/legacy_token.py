"""Message Nest's send "token": a reversible encoding of a task or template id, not a secret.

Byte 0 is a salt, sum(ord(c) * (i + 1)) & 0xFF over the id; byte i + 1 is
ord(id[i]) ^ 71 ^ ((salt + i) & 0xFF). The bytes are written as hex. Old callers keep sending
these tokens, so PushNest decodes them to find the target; it never treats one as a credential.
"""

from __future__ import annotations

_KEY = 71


def _is_id(codes: list[int]) -> bool:
    # Ids are printable ASCII without spaces ("TK…", or a PushNest number).
    return bool(codes) and all(0x20 < c < 0x7F for c in codes)


def _salt(text: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(text)) & 0xFF


def encode(id_: str) -> str:
    """The hex token for an ASCII id."""
    if not _is_id([ord(c) for c in id_]):
        raise ValueError("an id to encode must be non-empty printable ASCII")
    salt = _salt(id_)
    body = bytes(ord(c) ^ _KEY ^ ((salt + i) & 0xFF) for i, c in enumerate(id_))
    return (bytes([salt]) + body).hex()


def decode(token: str) -> str:
    """The id behind a token; ValueError if it is not one Message Nest (or `encode`) could have made."""
    try:
        raw = bytes.fromhex(token.strip())
    except ValueError:
        raise ValueError("the token is not hex") from None
    if len(raw) < 2:
        raise ValueError("the token is too short")
    salt, body = raw[0], raw[1:]
    codes = [b ^ _KEY ^ ((salt + i) & 0xFF) for i, b in enumerate(body)]
    if not _is_id(codes):
        raise ValueError("the token does not decode to a printable ASCII id")
    text = "".join(map(chr, codes))
    if _salt(text) != salt:
        raise ValueError("the token's checksum does not match")
    return text


def token_for(legacy_id: str | None, id_: int) -> str:
    """The token old callers send for a task or template: its Message Nest id's, or its PushNest id's."""
    return encode(legacy_id or str(id_))
