"""Password hashes for the admin UI's users: scrypt from the standard library, with a
random salt per password, stored as `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64), so
the cost can rise later without breaking the hashes stored before. The cost of new hashes
is `N` unless the caller gives another (the `password_hash_cost` setting)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1  # about 16 MiB and a few tens of milliseconds per check
MIN_LENGTH, MAX_LENGTH = 10, 256


def hash_password(password: str, n: int = N) -> str:
    """A new hash of `password` at the cost `n` (scrypt's N, a power of two)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, R, P)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, _unb64(digest))


def needs_rehash(stored: str, n: int = N) -> bool:
    """Whether `stored` was made with other costs than today's (`n`)."""
    return not stored.startswith(f"scrypt${n}${R}${P}$")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if password.strip() != password or not password.strip():
        return "must not begin or end with spaces"
    return None


def dummy_hash(n: int = N) -> str:
    """A hash at the cost `n` to check against when the user does not exist, so a wrong
    email takes as long as a wrong password."""
    return f"scrypt${n}${R}${P}${'A' * 22}==${'A' * 86}=="


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=64)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)
