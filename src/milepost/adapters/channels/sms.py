"""Text messages through Twilio's REST API (or a provider with the same shape).

One attempt is one `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with the form
fields To, From and Body, authenticated with the account SID and auth token. Twilio
answers 201 with the message's SID; errors carry Twilio's own code and message, which
the attempt records. Rate limits (429) and server errors are retried on the schedule,
honouring Retry-After; a refused number or body (other 4xx) is not: it would be
refused again. A rejected login (401/403) or a redirect (never followed) is retried,
since it is fixed in settings, not in the message.
"""

from __future__ import annotations

from typing import Any

import httpx

from milepost.adapters.channels.webhook import retry_after
from milepost.config import Settings
from milepost.domain.actions import SMS_MAX  # Twilio's longest body; it splits it into segments
from milepost.relay.ports import FAILED, RETRY, SENT, SendResult

USER_AGENT = "Milepost-SMS/1"


class TwilioSender:
    """Thread-safe: one connection pool shared by the worker's threads."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str = "https://api.twilio.com",
        timeout: float = 15.0,
        connections: int = 16,
    ) -> None:
        self.from_number = from_number
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._client = httpx.Client(
            auth=(account_sid, auth_token),
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"user-agent": USER_AGENT, "accept": "application/json"},
            trust_env=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings, connections: int = 16) -> TwilioSender | None:
        """None when no provider is configured (texts go to the local mailbox)."""
        if not settings.twilio_account_sid.strip():
            return None
        return cls(
            settings.twilio_account_sid.strip(),
            settings.twilio_auth_token,
            settings.twilio_from_number.strip(),
            settings.twilio_base_url,
            settings.delivery_timeout,
            connections,
        )

    def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """Send `body` to `to` (E.164). `idempotency_key` is the outbox row's stable id,
        sent as `Idempotency-Key` for providers that drop a request they already took."""
        if len(body) > SMS_MAX:
            return SendResult(FAILED, error=f"the text is {len(body)} characters; at most {SMS_MAX} can be sent")
        form = {"To": to, "From": self.from_number, "Body": body}
        try:
            response = self._client.post(self.url, data=form, headers={"idempotency-key": idempotency_key})
        except httpx.TimeoutException:
            return SendResult(RETRY, error="no answer from the SMS provider in time")
        except httpx.HTTPError as exc:
            return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return _classify(response)

    def close(self) -> None:
        self._client.close()


def _classify(response: httpx.Response) -> SendResult:
    code = response.status_code
    answer = _json(response)
    if 200 <= code < 300:
        sid = answer.get("sid")
        return SendResult(SENT, code=code, provider_id=sid if isinstance(sid, str) else None)
    if 300 <= code < 400:  # a base URL that redirects (http:// for https://) is fixed in settings
        where = response.headers.get("location", "elsewhere")
        return SendResult(RETRY, code=code, error=f"HTTP {code} redirect to {where} not followed (check the base URL)")
    error = f"HTTP {code}"
    twilio_code, twilio_message = answer.get("code"), answer.get("message")
    if twilio_code is not None or twilio_message:
        error += ": Twilio error" + (f" {twilio_code}" if twilio_code is not None else "")
        error += f": {twilio_message}" if twilio_message else ""
    elif response.reason_phrase:
        error += f" {response.reason_phrase}"
    if code == 429 or code >= 500:
        return SendResult(RETRY, code=code, error=error, retry_after=retry_after(response))
    if code in (401, 403):
        return SendResult(RETRY, code=code, error=f"{error} (check the Twilio account SID and auth token)")
    return SendResult(FAILED, code=code, error=error)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
