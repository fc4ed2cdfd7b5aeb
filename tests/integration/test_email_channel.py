"""The SMTP channel against a real SMTP server on loopback (aiosmtpd): MIME, Message-IDs,
the connection pool, STARTTLS, implicit TLS, AUTH, and how each failure is reported.
Nothing of smtplib is replaced."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from milepost.adapters.channels.email import SmtpSender, build_message
from milepost.config import Settings
from milepost.relay.message_ids import message_id_for
from milepost.relay.ports import FAILED, RETRY, SENT, Email

SENDER = "hello@shop.example"
PASSWORD = "s3cret-Pa55"
TIMEOUT = 5.0


class Recorder:
    """Keeps every envelope, whether it came encrypted and authenticated, and every connection
    (one aiosmtpd protocol object each; sessions are renewed by STARTTLS). Refuses the
    recipients in `refuse` with the reply given."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.refuse = refuse or {}
        self.envelopes: list[Any] = []
        self.secure: list[bool] = []
        self.authenticated: list[bool] = []
        self.connections: list[Any] = []
        self.lock = threading.Lock()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]):
        session.host_name = hostname  # the hook must set it
        with self.lock:
            if not any(c is server for c in self.connections):  # EHLO comes again after STARTTLS
                self.connections.append(server)
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.envelopes.append(envelope)
            self.secure.append(server.transport.get_extra_info("ssl_object") is not None)
            self.authenticated.append(bool(session.authenticated))
        return "250 OK"

    @property
    def messages(self) -> list[Any]:
        with self.lock:
            return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


StartServer = Callable[..., tuple[Controller, Recorder]]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    """`start(recorder=None, port=None, **controller_kwargs)`: a running server; all stopped at the end."""
    running: list[Controller] = []

    def start(recorder: Recorder | None = None, port: int | None = None, **kwargs: Any) -> tuple[Controller, Recorder]:
        recorder = recorder or Recorder()
        controller = Controller(
            recorder, hostname="127.0.0.1", port=port or free_port(), server_hostname="mx.test", **kwargs
        )
        controller.start()
        running.append(controller)
        return controller, recorder

    yield start
    for controller in running:
        if controller._thread is not None:  # not stopped by the test itself
            controller.stop()


@pytest.fixture
def senders() -> Iterator[Callable[..., SmtpSender]]:
    """SmtpSender(...) that is closed at the end."""
    made: list[SmtpSender] = []

    def make(port: int, **kwargs: Any) -> SmtpSender:
        kwargs.setdefault("security", "none")
        sender = SmtpSender("127.0.0.1", port, timeout=TIMEOUT, **kwargs)
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"shop", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def make_email(key: str = "milestone.3.17.1.2", to: str = "zoe@example.com", **changes: Any) -> Email:
    fields: dict[str, Any] = {
        "message_id": message_id_for(key, SENDER),
        "sender_name": "Shop Team",
        "sender_address": SENDER,
        "recipient_address": to,
        "recipient_name": "Zoë Ünal",
        "subject": "Willkommen, Zoë: dein Rabatt 🎉",
        "body_text": "Hallo Zoë,\nhier ist dein Code.",
        "body_html": "<p>Hallo Zoë, hier ist dein <b>Code</b>.</p>",
        "headers": {"X-Milepost-Delivery": key},
    }
    return Email(**{**fields, **changes})


# -- the message -------------------------------------------------------------------------------


def test_a_plain_send_delivers_one_well_formed_message(smtp_server, senders):
    controller, recorder = smtp_server()
    result = senders(controller.port).send(make_email())
    assert result.outcome == SENT and result.code == 250 and result.error is None
    (envelope,) = recorder.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == ["zoe@example.com"]
    (message,) = recorder.messages
    assert message["From"] == f"Shop Team <{SENDER}>"
    assert message["To"] == "Zoë Ünal <zoe@example.com>"
    assert message["To"].addresses[0].display_name == "Zoë Ünal"
    assert message["Subject"] == "Willkommen, Zoë: dein Rabatt 🎉"
    assert (
        message["Message-ID"] == message_id_for("milestone.3.17.1.2", SENDER) == "<mp.milestone.3.17.1.2@shop.example>"
    )
    assert message["X-Milepost-Delivery"] == "milestone.3.17.1.2"
    assert message["Date"].datetime is not None
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and text["Content-Type"].params["charset"] == "utf-8"
    assert lines(text.get_content()) == "Hallo Zoë,\nhier ist dein Code.\n"
    assert html.get_content_type() == "text/html"
    assert lines(html.get_content()) == "<p>Hallo Zoë, hier ist dein <b>Code</b>.</p>\n"
    assert envelope.content.isascii()  # quoted-printable: no 8BITMIME needed on the way


def lines(text: str) -> str:
    """Quoted-printable carries line breaks as CRLF."""
    return text.replace("\r\n", "\n")


def test_without_html_the_message_is_plain_text():
    message = build_message(make_email(body_html=None, recipient_name=None))
    assert message.get_content_type() == "text/plain"
    assert lines(message.get_content()) == "Hallo Zoë,\nhier ist dein Code.\n"
    assert message["To"] == "zoe@example.com"


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Hi\r\nBcc: all@example.com"},
        {"subject": "Hi\nthere"},
        {"recipient_name": "Zoë\rBcc: all@example.com"},
        {"sender_name": "Shop\n"},
        {"headers": {"X-Milepost-Delivery": "k\r\nBcc: all@example.com"}},
        {"headers": {"X-Bad\nName": "k"}},
    ],
)
def test_line_breaks_in_headers_are_refused(changes, smtp_server, senders):
    with pytest.raises(ValueError, match=r"line break|header name"):
        build_message(make_email(**changes))
    controller, recorder = smtp_server()
    result = senders(controller.port).send(make_email(**changes))
    assert result.outcome == FAILED and "cannot be built" in result.error
    assert recorder.envelopes == []


# -- Message-IDs -------------------------------------------------------------------------------

MESSAGE_ID = re.compile(r"<([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>")


@pytest.mark.parametrize(
    "key", ["milestone.3.17.1.2", "a_b", "a b", "ünïcode/key", ".lead", "trail.", "a..b", "", "k" * 200, "_" * 200]
)
def test_message_ids_are_stable_well_formed_and_short(key):
    made = message_id_for(key, SENDER)
    assert made == message_id_for(key, SENDER)
    match = MESSAGE_ID.fullmatch(made)
    assert match, made
    assert match.group(1).startswith("mp.") and match.group(2) == "shop.example"
    assert len(made) < 250


def test_message_ids_differ_for_different_keys_even_when_cleaned_alike():
    keys = ["a-b", "a_b", "a b", "a/b", "a.b", "a..b", "a.-.b", "k" * 300, "k" * 301, "k" * 299 + "_"]
    assert len({message_id_for(k, SENDER) for k in keys}) == len(keys)


def test_a_message_id_takes_the_senders_domain_or_a_fallback():
    assert message_id_for("k", "x@shop.example") == "<mp.k@shop.example>"
    assert message_id_for("k", "no-domain") == "<mp.k@milepost.local>"
    assert message_id_for("k", "x@") == "<mp.k@milepost.local>"
    assert message_id_for("k", "x@bücher.example") == "<mp.k@xn--bcher-kva.example>"


# -- the connection pool -----------------------------------------------------------------------


def test_twenty_sends_in_a_row_use_one_connection(smtp_server, senders):
    controller, recorder = smtp_server()
    sender = senders(controller.port)
    results = [sender.send(make_email(f"k{i}")) for i in range(20)]
    assert {r.outcome for r in results} == {SENT}
    assert len(recorder.envelopes) == 20
    assert len(recorder.connections) == 1


def test_eight_threads_send_forty_messages_each_exactly_once(smtp_server, senders):
    controller, recorder = smtp_server()
    sender = senders(controller.port)
    keys = [f"concurrent.{i}" for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda k: sender.send(make_email(k)), keys))
    assert [r.outcome for r in results] == [SENT] * 40
    received = Counter(m["Message-ID"] for m in recorder.messages)
    assert received == Counter(message_id_for(k, SENDER) for k in keys)
    assert 1 <= len(recorder.connections) <= 8


def test_a_restarted_server_is_reconnected_to_transparently(smtp_server, senders):
    controller, first = smtp_server()
    sender = senders(controller.port)
    assert sender.send(make_email("before")).outcome == SENT
    controller.stop()
    controller, second = smtp_server(port=controller.port)
    result = sender.send(make_email("after"))
    assert result.outcome == SENT, result.error
    assert [m["X-Milepost-Delivery"] for m in second.messages] == ["after"]
    assert len(first.envelopes) == 1


def test_a_connection_the_server_closed_while_idle_is_replaced_transparently(smtp_server, senders):
    controller, recorder = smtp_server(timeout=0.2)  # aiosmtpd drops connections idle this long
    sender = senders(controller.port)
    assert sender.send(make_email("before")).outcome == SENT
    time.sleep(0.4)
    result = sender.send(make_email("after"))
    assert result.outcome == SENT, result.error
    assert len(recorder.envelopes) == 2 and len(recorder.connections) == 2


def test_nothing_listening_is_a_retry(senders):
    result = senders(free_port()).send(make_email())
    assert result.outcome == RETRY and result.code is None
    assert "cannot connect to 127.0.0.1:" in result.error and "refused" in result.error.lower()


# -- rejections --------------------------------------------------------------------------------


def test_a_permanent_rejection_fails_and_the_connection_stays_usable(smtp_server, senders):
    controller, recorder = smtp_server(Recorder(refuse={"nobody@example.com": "550 5.1.1 no such user"}))
    sender = senders(controller.port)
    result = sender.send(make_email(to="nobody@example.com"))
    assert result.outcome == FAILED and result.code == 550
    assert "no such user" in result.error and "\n" not in result.error
    assert sender.send(make_email(to="zoe@example.com")).outcome == SENT
    assert len(recorder.envelopes) == 1 and len(recorder.connections) == 1


def test_a_temporary_rejection_is_a_retry(smtp_server, senders):
    controller, recorder = smtp_server(Recorder(refuse={"busy@example.com": "451 4.3.0 try again later"}))
    result = senders(controller.port).send(make_email(to="busy@example.com"))
    assert result.outcome == RETRY and result.code == 451 and "try again later" in result.error
    assert recorder.envelopes == []


# -- TLS and AUTH ------------------------------------------------------------------------------


def tls_server(smtp_server: StartServer, server_tls: ssl.SSLContext) -> tuple[Controller, Recorder]:
    return smtp_server(
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )


def test_starttls_with_auth_sends(smtp_server, senders, server_tls, client_tls):
    controller, recorder = tls_server(smtp_server, server_tls)
    sender = senders(controller.port, security="starttls", username="shop", password=PASSWORD, tls_context=client_tls)
    assert sender.send(make_email("one")).outcome == SENT
    assert sender.send(make_email("two")).outcome == SENT
    assert len(recorder.envelopes) == 2 and len(recorder.connections) == 1
    assert recorder.secure == recorder.authenticated == [True, True]


def test_a_wrong_password_is_a_retry_that_names_authentication_not_the_password(
    smtp_server, senders, server_tls, client_tls
):
    controller, recorder = tls_server(smtp_server, server_tls)
    sender = senders(
        controller.port, security="starttls", username="shop", password=PASSWORD + "x", tls_context=client_tls
    )
    result = sender.send(make_email())
    assert result.outcome == RETRY and result.code == 535
    assert "authentication" in result.error and "MILEPOST_SMTP_PASSWORD" in result.error
    assert PASSWORD not in result.error and "\n" not in result.error
    assert recorder.envelopes == []


def test_an_untrusted_certificate_is_a_retry(smtp_server, senders, server_tls):
    controller, recorder = tls_server(smtp_server, server_tls)
    result = senders(controller.port, security="starttls", username="shop", password=PASSWORD).send(make_email())
    assert result.outcome == RETRY and "certificate verify failed" in result.error
    assert recorder.envelopes == []


def test_starttls_required_but_not_offered_sends_nothing(smtp_server, senders, client_tls):
    controller, recorder = smtp_server()  # plain SMTP, no STARTTLS
    result = senders(controller.port, security="starttls", tls_context=client_tls).send(make_email())
    assert result.outcome == RETRY and "does not offer STARTTLS" in result.error
    assert recorder.envelopes == []


def test_implicit_tls_sends(smtp_server, senders, server_tls, client_tls):
    controller, recorder = smtp_server(ssl_context=server_tls)
    sender = senders(controller.port, security="tls", tls_context=client_tls)
    assert sender.send(make_email()).outcome == SENT
    assert recorder.secure == [True] and len(recorder.connections) == 1


# -- settings ----------------------------------------------------------------------------------


def test_from_settings():
    assert SmtpSender.from_settings(Settings(smtp_host="")) is None
    sender = SmtpSender.from_settings(Settings(smtp_host="smtp.example.com", smtp_port=465, smtp_security="tls"))
    assert sender is not None
    assert (sender.host, sender.port, sender.security) == ("smtp.example.com", 465, "tls")
    sender.close()
