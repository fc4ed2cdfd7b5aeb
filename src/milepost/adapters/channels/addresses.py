"""Where a webhook may go: never, unless the operator allows it, to this machine or a
private network (server-side request forgery), checked on every address the name
resolves to, when the endpoint is saved and again before each delivery."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from milepost.errors import ValidationError


def check_url(url: str, allow_private: bool = False) -> list[str]:
    """The addresses `url` resolves to, all public (unless allowed); else ValidationError."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket, say
        raise _refused(url, "must be an http or https URL with a host") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refused(url, "must be an http or https URL with a host")
    if parts.username or parts.password:
        raise _refused(url, "must not carry a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise _refused(url, f"does not resolve: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in found})
    if not allow_private:
        for address in addresses:
            reason = _not_public(address)
            if reason:
                raise _refused(url, f"resolves to {address}, {reason}; allow it with MILEPOST_WEBHOOKS_ALLOW_PRIVATE")
    return addresses


def _not_public(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _refused(url: str, reason: str) -> ValidationError:
    return ValidationError(f"webhook URL {url!r} {reason}", {"url": reason})
