"""Email over SMTP: one outgoing message as MIME, sent on a pooled connection.

The worker sends from several threads at once, so `SmtpSender` keeps one open
connection per concurrent caller and reuses it: thousands of emails cost a handful
of TLS handshakes and logins, not thousands. A pooled connection the server has
since dropped is replaced once, transparently, before a send reports a failure.

Every send ends in one `SendResult`. Whatever an operator can fix (the server
down, TLS, a wrong password) or the server calls temporary (4xx) is RETRY; a 5xx
rejection of this message (its sender, recipient or content) is FAILED.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from milepost.config import Settings
from milepost.relay.message_ids import ascii_domain
from milepost.relay.ports import FAILED, RETRY, SENT, Email, SendResult

SECURITY = ("starttls", "tls", "none")

_FIELD_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII except ':' (RFC 5322 field-name)
# 5xx replies that mean "authenticate / encrypt first": the operator's configuration, not this message
_CONFIGURATION_CODES = frozenset({530, 534, 535, 538})


def build_message(email: Email) -> EmailMessage:
    """The MIME message: text/plain, or multipart/alternative (text, then HTML), UTF-8 in
    quoted-printable so it passes any relay without needing 8BITMIME.

    ValueError for CR or LF in any header value: a subject or name from a template must not
    be able to add headers (a Bcc) to the message."""
    values = {
        "the Message-ID": email.message_id,
        "the sender name": email.sender_name,
        "the sender address": email.sender_address,
        "the recipient name": email.recipient_name or "",
        "the recipient address": email.recipient_address,
        "the subject": email.subject,
        **{f"the {name} header": value for name, value in email.headers.items()},
    }
    for what, value in values.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"{what} contains a line break")
    for name in email.headers:
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid header name")
    message = EmailMessage()
    message["From"] = _address(email.sender_name, email.sender_address)
    message["To"] = _address(email.recipient_name or "", email.recipient_address)
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = email.message_id
    message.set_content(email.body_text, charset="utf-8", cte="quoted-printable")
    if email.body_html is not None:
        message.add_alternative(email.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, value in email.headers.items():  # after the body: a second From, Content-Type, ... is a ValueError
        message[name] = value
    return message


def _address(name: str, address: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=ascii_domain(address))
    except (ValueError, HeaderParseError, IndexError) as exc:  # the parser's errors are not all ValueErrors
        raise ValueError(f"{address!r} is not a valid email address: {exc}") from None


class SmtpSender:
    """Thread-safe: each send borrows an idle connection (or opens one) and gives it back."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self._password, self.timeout = username, password, timeout
        self._tls_context = tls_context
        if security != "none" and tls_context is None:
            self._tls_context = ssl.create_default_context()
        self._idle: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender | None:
        """None when no SMTP server is configured (emails go to the local mailbox)."""
        if not settings.smtp_host.strip():
            return None
        return cls(
            settings.smtp_host.strip(),
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_timeout,
        )

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, email: Email) -> SendResult:
        try:
            message = build_message(email)
        except ValueError as exc:  # the same content would fail again: not worth a retry
            return SendResult(FAILED, error=self._line(f"the email cannot be built: {exc}"))
        with self._lock:
            pooled = self._idle.pop() if self._idle else None
        if pooled is not None:
            result = self._send_on(pooled, message, email)
            if pooled.sock is not None:
                self._release(pooled)
                return result
            # the server dropped the idle connection (closed it, or said 421 on its way out): once more, anew
        try:
            conn = self._connect()
        except (smtplib.SMTPException, OSError, UnicodeError, _NoStartTls) as exc:
            return self._connect_failure(exc)
        result = self._send_on(conn, message, email)
        self._release(conn)
        return result

    def close(self) -> None:
        """Say goodbye on the idle connections; those in use close when their send ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            _quit(conn)

    # -- connections ---------------------------------------------------------------------------

    def _release(self, conn: smtplib.SMTP) -> None:
        """Back to the pool, unless it is closed or the sender is."""
        if conn.sock is None:
            return
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return
        _quit(conn)

    def _connect(self) -> smtplib.SMTP:
        """A connection ready for MAIL FROM: greeted, encrypted as configured, logged in."""
        conn: smtplib.SMTP
        if self.security == "tls":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls_context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            conn.ehlo()
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise _NoStartTls(self._where)
                conn.starttls(context=self._tls_context)
                conn.ehlo()
            if self.username:
                conn.login(self.username, self._password)
        except BaseException:
            conn.close()
            raise
        return conn

    # -- results -------------------------------------------------------------------------------

    def _send_on(self, conn: smtplib.SMTP, message: EmailMessage, email: Email) -> SendResult:
        """One transaction; after a rejection smtplib has sent RSET, so the connection stays usable."""
        try:
            conn.send_message(
                message,
                from_addr=ascii_domain(email.sender_address),
                to_addrs=[ascii_domain(email.recipient_address)],
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return self._rejected(code, text, f"the recipient {email.recipient_address}")
        except smtplib.SMTPSenderRefused as exc:
            return self._rejected(exc.smtp_code, exc.smtp_error, f"the sender {email.sender_address}")
        except smtplib.SMTPDataError as exc:
            return self._rejected(exc.smtp_code, exc.smtp_error, "the message")
        except smtplib.SMTPNotSupportedError as exc:  # an address needs SMTPUTF8 and the server lacks it
            return SendResult(FAILED, error=self._line(f"{self._where} cannot take this email: {exc}"))
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, timed out: the state is unknown
            conn.close()
            return SendResult(RETRY, error=self._line(f"sending to {self._where} failed: {_reason(exc)}"))
        return SendResult(SENT, code=250)

    def _connect_failure(self, exc: Exception) -> SendResult:
        """Anything that stops a connection is the server's or the configuration's: RETRY."""
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            text = _text(exc.smtp_error)
            return SendResult(
                RETRY,
                code=exc.smtp_code,
                error=self._line(
                    f"authentication with {self._where} as {self.username!r} failed ({exc.smtp_code} {text}); "
                    "check MILEPOST_SMTP_USERNAME and MILEPOST_SMTP_PASSWORD"
                ),
            )
        code = exc.smtp_code if isinstance(exc, smtplib.SMTPResponseException) else None
        return SendResult(RETRY, code=code, error=self._line(f"cannot connect to {self._where}: {_reason(exc)}"))

    def _rejected(self, code: int, text: bytes | str, what: str) -> SendResult:
        outcome = FAILED if 500 <= code < 600 and code not in _CONFIGURATION_CODES else RETRY
        return SendResult(outcome, code=code, error=self._line(f"{self._where} refused {what}: {code} {_text(text)}"))

    def _line(self, text: str) -> str:
        """One line for the operator, without the password even if a server echoed it."""
        line = " ".join(text.split())
        return line.replace(self._password, "***") if self._password else line


class _NoStartTls(Exception):
    """security=starttls and the server does not offer it: never fall back to sending in clear."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"{where} does not offer STARTTLS; not sending in clear "
            "(MILEPOST_SMTP_SECURITY=tls for implicit TLS, or none to allow unencrypted SMTP)"
        )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, UnicodeError):  # its text would quote a character of the password
        return "the host name, user name or password is not ASCII"
    if isinstance(exc, socket.gaierror):
        return f"the name does not resolve ({exc.strerror})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _quit(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()
