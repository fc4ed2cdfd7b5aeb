"""Message-IDs that are a function of the outbox key: a retry's duplicate carries the same id."""

from __future__ import annotations

import hashlib
import re

MAX_MESSAGE_ID = 249  # characters, brackets included: the id fits on one short header line
FALLBACK_DOMAIN = "milepost.local"

_NOT_ATEXT = re.compile(r"[^A-Za-z0-9.-]")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_HASH_CHARS = 16  # hex: 64 bits, so two keys cleaned to the same text still get different ids


def message_id_for(outbox_key: str, sender_address: str) -> str:
    """A Message-ID that is a function of the outbox key alone (per sender domain), so the one
    duplicate a retry can cause carries the same id and a receiver can drop it.

    The key is kept readable where it can be; when anything had to change (a character
    outside [A-Za-z0-9.-], a dot that would break the dot-atom, a key too long) a hash of
    the whole key is appended, so different keys never share an id."""
    domain = _message_id_domain(sender_address)
    # every atom non-empty: no leading, trailing or doubled dot in the dot-atom
    local = ".".join(atom or "-" for atom in _NOT_ATEXT.sub("-", outbox_key).split("."))
    room = MAX_MESSAGE_ID - len(f"<mp.@{domain}>")
    if local != outbox_key or len(local) > room:
        digest = hashlib.sha256(outbox_key.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
        local = f"{local[: room - _HASH_CHARS - 1].rstrip('.')}.{digest}"
    return f"<mp.{local}@{domain}>"


def _message_id_domain(sender_address: str) -> str:
    """The sender's domain as ASCII (IDNA), or the fallback when there is none usable."""
    _, at, domain = ascii_domain(sender_address.strip()).rpartition("@")
    # leave room for 'mp.' and a hashed local part
    fits = len(domain) <= MAX_MESSAGE_ID - len("<mp.@>") - _HASH_CHARS - 2
    return domain if at and fits and _DOMAIN.fullmatch(domain) else FALLBACK_DOMAIN


def ascii_domain(address: str) -> str:
    """zoe@bücher.example as zoe@xn--bcher-kva.example: SMTP without SMTPUTF8, and headers, take
    only ASCII domains."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address
