"""Where a webhook may go: never, unless the operator allows it, to this machine or any
address that is not reachable from the internet (server-side request forgery).

Two checks, one set of rules:

- `check_address`, when an endpoint or a rule's webhook action is saved: the URL's form,
  and its host when it names an address itself (`http://10.0.0.7/`, `http://[::1]/`,
  `http://2130706433/`, `localhost`). No DNS: a name is accepted as written, so saving
  works on a machine with no network.
- `check_url`, before each delivery: the same, then every address the name resolves to.

An address passes when it is globally reachable (`ipaddress`'s `is_global`), is not
multicast, and the IPv4 address an IPv6 form carries passes too: IPv4-mapped
(`::ffff:a.b.c.d`), 6to4 (2002::/16), Teredo (2001::/32, server and client) and NAT64
(64:ff9b::/96). So 100.64.0.0/10 (shared address space, where 100.100.100.200 answers
as a cloud metadata service) and `[2002:7f00:1::1]` (6to4 around 127.0.0.1) are refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import SplitResult, urlsplit

from milepost.errors import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: How to let them through, said in every refusal.
ALLOW = "allow it with MILEPOST_WEBHOOKS_ALLOW_PRIVATE"
SHARED = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: A host the C library would read as an IPv4 address in one of its older spellings
#: (`127.1`, `0x7f.0.0.1`, `2130706433`), which `ipaddress` does not accept.
NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


def check_address(url: str, allow_private: bool = False) -> str:
    """The host of `url`, when the URL is well formed and its host, if it names an
    address, is a public one (unless allowed); else ValidationError. No DNS look-up."""
    parts = _parts(url)
    host = parts.hostname or ""
    if not allow_private:
        _refuse_literal(url, host)
    return host


def check_url(url: str, allow_private: bool = False) -> list[str]:
    """The addresses `url` resolves to, all public (unless allowed); else ValidationError."""
    parts = _parts(url)
    host = parts.hostname or ""
    if not allow_private:
        _refuse_literal(url, host)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise _refused(url, f"does not resolve: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in found})
    if not allow_private:
        for address in addresses:
            reason = not_public(ipaddress.ip_address(address.split("%", 1)[0]))
            if reason:
                raise _refused(url, f"resolves to {address}, {reason}; {ALLOW}")
    return addresses


def not_public(ip: IPAddress) -> str | None:
    """Why nothing should be posted to `ip` (or to the IPv4 address it carries), or None."""
    for inner in _carried(ip):
        reason = _reason(inner)
        if reason:
            return f"which carries {inner}, {reason}"
    return _reason(ip)


def _parts(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        raise _refused(url, "must be an http or https URL with a host") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refused(url, "must be an http or https URL with a host")
    if parts.username or parts.password:
        raise _refused(url, "must not carry a user name or password")
    if any(c.isspace() or not c.isprintable() for c in parts.hostname):
        raise _refused(url, "must be an http or https URL with a host")
    return parts


def _refuse_literal(url: str, host: str) -> None:
    """Refuse a host that is itself a non-public address, or a name for this machine."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise _refused(url, f"names this machine ({host}), a loopback address; {ALLOW}")
    ip = _literal(host)
    reason = not_public(ip) if ip is not None else None
    if reason:
        raise _refused(url, f"is the address {ip}, {reason}; {ALLOW}")


def _literal(host: str) -> IPAddress | None:
    """The address `host` writes out, in any spelling a resolver would accept, or None."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _carried(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: mapped, 6to4, Teredo, NAT64."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    inside = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in NAT64:
        inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [a for a in inside if a is not None]


def _reason(ip: IPAddress) -> str | None:
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (site_local, "a site-local address"),
        (ip in SHARED, "a shared address (100.64.0.0/10: carrier-grade NAT, cloud metadata)"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "an address not reachable from the internet"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _refused(url: str, reason: str) -> ValidationError:
    return ValidationError(f"webhook URL {url!r} {reason}", {"url": reason})
