"""Signed webhook POSTs (Standard Webhooks), one attempt at a time.

Before each attempt the URL is resolved and checked again (an endpoint's name may
come to point at a private address after it was saved). Redirects are never
followed: a 3xx is a failed attempt that names where it pointed, so an endpoint
cannot bounce a signed message to a place the operator did not register.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from milepost.adapters.channels.addresses import check_url
from milepost.adapters.channels.signing import signed_headers
from milepost.errors import ValidationError
from milepost.relay.ports import FAILED, GONE, RETRY, SENT, SendResult

USER_AGENT = "Milepost-Webhooks/1"


class WebhookSender:
    """Thread-safe: one connection pool shared by the worker's threads."""

    def __init__(self, timeout: float = 15.0, allow_private: bool = False, connections: int = 16) -> None:
        self.allow_private = allow_private
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"user-agent": USER_AGENT},
            trust_env=False,  # a proxy from the environment would see and could redirect every webhook
        )

    def send(self, url: str, msg_id: str, body: str, secrets: Sequence[str], timestamp: int) -> SendResult:
        try:
            check_url(url, self.allow_private)
        except ValidationError as exc:
            reason = exc.problems.get("url", str(exc))
            # a name that does not resolve now may resolve later; a private address stays private
            outcome = RETRY if reason.startswith("does not resolve") else FAILED
            return SendResult(outcome, error=f"{url}: {reason}")
        headers = signed_headers(secrets, msg_id, timestamp, body)
        try:
            with self._client.stream("POST", url, content=body.encode(), headers=headers) as response:
                return _classify(response)
        except httpx.TimeoutException:
            return SendResult(RETRY, error=f"no answer from {url} in time")
        except httpx.HTTPError as exc:
            return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    def close(self) -> None:
        self._client.close()


def _classify(response: httpx.Response) -> SendResult:
    code = response.status_code
    if 200 <= code < 300:
        return SendResult(SENT, code=code)
    if code == 410:
        return SendResult(GONE, code=code, error="the endpoint answered 410 Gone")
    if 300 <= code < 400:
        where = response.headers.get("location", "nowhere")
        return SendResult(RETRY, code=code, error=f"HTTP {code} redirect to {where} not followed")
    return SendResult(
        RETRY, code=code, error=f"HTTP {code} {response.reason_phrase}".strip(), retry_after=retry_after(response)
    )


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds the receiver asked us to wait (Retry-After: seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
