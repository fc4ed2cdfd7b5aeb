"""Webhook URLs on addresses that are not reachable from the internet, each with a word of
the reason it is refused: the table the save-time and delivery-time tests share
(adapters/channels/addresses.py). Every host is written as an address (or is
`localhost`), so no test needs DNS."""

from __future__ import annotations

NOT_PUBLIC: list[tuple[str, str]] = [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://127.1/hook", "loopback"),  # an older spelling the C library still reads
    ("http://2130706433/hook", "loopback"),
    ("http://0x7f.0.0.1/hook", "loopback"),
    ("http://localhost:8080/hook", "loopback"),
    ("http://app.localhost/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::]/hook", "unspecified"),
    ("http://10.1.2.3/hook", "private"),
    ("http://172.16.0.1/hook", "private"),
    ("https://192.168.0.10/hook", "private"),
    ("http://198.18.0.1/hook", "private"),  # benchmarking
    ("http://192.0.2.1/hook", "private"),  # documentation
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fc00::1]/hook", "private"),  # unique local
    ("http://[fec0::1]/hook", "site-local"),
    ("http://100.64.0.1/hook", "shared address"),  # carrier-grade NAT
    ("http://100.100.100.200/latest/meta-data/", "shared address"),  # a cloud metadata service
    ("http://224.0.0.1/hook", "multicast"),
    ("http://[ff02::1]/hook", "multicast"),
    ("http://240.0.0.1/hook", "240.0.0.1, a"),  # reserved (private, as older Pythons say)
    ("http://[::ffff:127.0.0.1]/hook", "carries 127.0.0.1, a loopback"),  # IPv4-mapped
    ("http://[::ffff:100.100.100.200]/hook", "carries 100.100.100.200, a shared"),
    ("http://[2002:7f00:1::1]/hook", "carries 127.0.0.1, a loopback"),  # 6to4
    ("http://[2002:a9fe:a9fe::1]/hook", "carries 169.254.169.254, a link-local"),
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook", "carries 127.0.0.1, a loopback"),  # Teredo client
    ("http://[64:ff9b::a00:1]/hook", "carries 10.0.0.1, a private"),  # NAT64
]

#: Public addresses, some inside the same IPv6 forms: accepted at save (never called).
PUBLIC = ["https://1.1.1.1/hook", "http://[2606:4700::1111]/hook", "http://[2002:101:101::1]/hook"]
