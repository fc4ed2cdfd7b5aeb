"""Request bodies that probe a route's body reading: corrupt gzip and a gzip bomb."""

from __future__ import annotations

import gzip


def corrupt_gzip(document: bytes) -> dict[str, bytes]:
    """`document` gzipped, then spoilt three ways a lenient reader would half-read."""
    whole = gzip.compress(document)
    return {
        "wrong checksum": whole[:-8] + bytes(4) + whole[-4:],
        "header only": whole[:10],
        "cut off": whole[:-3],
        "trailing bytes": whole + b"{}",
    }


def gzip_bomb(inflated: int = 20 * 1024 * 1024) -> bytes:
    """A small gzip body that inflates to `inflated` bytes of JSON."""
    return gzip.compress(b"[" + b"0," * (inflated // 2) + b"0]")
