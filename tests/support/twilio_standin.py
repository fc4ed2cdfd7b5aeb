"""A real HTTP server on loopback standing in for Twilio's Messages API: the SMS channel
and delivery tests send to it as they would to https://api.twilio.com.

It serves `POST /2010-04-01/Accounts/{sid}/Messages.json` the way Twilio does: HTTP basic
auth with the account SID and auth token (401, error 20003, otherwise), a form with To,
From and Body, To in E.164 (400, error 21211, otherwise), and 201 with the message
resource, its SID "SM" + 32 hex digits. Accepted messages are kept in `.messages`; every
request, accepted or not, in `.requests`.

Answers can be scripted ahead of the real ones:
`twilio.answer(429, {"code": 20429, ...}, {"Retry-After": "30"}, times=2)`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
MAX_BODY = 1600


@dataclass(frozen=True)
class Request:
    """One request as it arrived: the form already decoded (last value of each field)."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    form: dict[str, str]
    authorization: tuple[str, str] | None  # (user, password) of basic auth, when given


@dataclass(frozen=True)
class Message:
    """A message Twilio took."""

    sid: str
    to: str
    from_: str
    body: str
    idempotency_key: str | None


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str]
    times: int
    delay: float = 0.0


@dataclass
class _Answer:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's error body."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioStandIn:
    def __init__(self, account_sid: str | None = None, auth_token: str | None = None) -> None:
        self.account_sid = account_sid or f"AC{secrets.token_hex(16)}"
        self.auth_token = auth_token or secrets.token_hex(16)
        self.requests: list[Request] = []
        self.messages: list[Message] = []
        self._scripted: deque[_Scripted] = deque()
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                self._reply(standin._handle(self.path, dict(self.headers.items()), raw))

            def do_GET(self) -> None:
                self._reply(_Answer(405, error(405, 20004, "Method not allowed")))

            def _reply(self, answer: _Answer) -> None:
                payload = json.dumps(answer.body).encode() if answer.body is not None else b""
                try:
                    self.send_response(answer.status)
                    if answer.body is not None:
                        self.send_header("content-type", "application/json; charset=utf-8")
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except ConnectionError:  # the client gave up waiting (a timeout test)
                    self.close_connection = True

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def messages_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"

    def answer(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """The next `times` requests get `status`, `body` (JSON) and `headers` instead of the
        real answer, after waiting `delay` seconds; they are recorded, but no message is kept."""
        with self._lock:
            self._scripted.append(_Scripted(status, body, headers or {}, times, delay))

    # -- one request ------------------------------------------------------------------------------

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> _Answer:
        headers = {k.lower(): v for k, v in headers.items()}
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        request = Request("POST", path, headers, form, _basic_auth(headers.get("authorization")))
        with self._lock:
            self.requests.append(request)
            scripted = self._next_scripted()
        if scripted is not None:
            if scripted.delay:
                time.sleep(scripted.delay)
            return _Answer(scripted.status, scripted.body, scripted.headers)
        return self._twilio(request)

    def _next_scripted(self) -> _Scripted | None:
        if not self._scripted:
            return None
        scripted = self._scripted[0]
        scripted.times -= 1
        if scripted.times <= 0:
            self._scripted.popleft()
        return scripted

    def _twilio(self, request: Request) -> _Answer:
        if request.authorization != (self.account_sid, self.auth_token):
            return _Answer(401, error(401, 20003, "Authenticate"))
        if request.path != self.messages_path:
            return _Answer(404, error(404, 20404, f"The requested resource {request.path} was not found"))
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _Answer(400, error(400, 21609, "Invalid form: the request must be form-encoded"))
        to, from_, body = (request.form.get(name, "") for name in ("To", "From", "Body"))
        if not to:
            return _Answer(400, error(400, 21604, "A 'To' phone number is required."))
        if not E164.match(to):
            return _Answer(400, error(400, 21211, f"The 'To' number {to} is not a valid phone number."))
        if not from_:
            return _Answer(400, error(400, 21603, "A 'From' phone number is required."))
        if not body:
            return _Answer(400, error(400, 21602, "Message body is required."))
        if len(body) > MAX_BODY:
            return _Answer(
                400, error(400, 21617, f"The concatenated message body exceeds the {MAX_BODY} character limit.")
            )
        sid = f"SM{secrets.token_hex(16)}"
        with self._lock:
            self.messages.append(Message(sid, to, from_, body, request.headers.get("idempotency-key")))
        return _Answer(201, self._resource(sid, to, from_, body))

    def _resource(self, sid: str, to: str, from_: str, body: str) -> dict[str, Any]:
        now = formatdate(usegmt=True)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(1 if len(body) <= 160 else -(-len(body) // 153)),  # GSM-7 segments
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
        }

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> TwilioStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TwilioStandIn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except ValueError:
        return None
    return user, password
