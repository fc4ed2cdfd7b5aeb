"""The SMS channel against a real HTTP stand-in for Twilio on loopback: what goes on the wire
and how each of Twilio's answers becomes an outcome. Nothing of the sending code is replaced."""

from __future__ import annotations

import base64
import re
import time

import pytest

from milepost.adapters.channels.sms import TwilioSender
from milepost.config import Settings
from milepost.domain.actions import SMS_MAX
from milepost.relay.ports import FAILED, RETRY, SENT
from support.smtp import free_port
from support.twilio_standin import TwilioStandIn, error

FROM = "+15005550006"
TO = "+14155550123"


@pytest.fixture
def twilio():
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture
def sender(twilio):
    s = TwilioSender(twilio.account_sid, twilio.auth_token, FROM, twilio.base_url, timeout=5)
    yield s
    s.close()


def test_a_text_is_sent_and_carries_twilios_message_sid(twilio, sender):
    result = sender.send(TO, "Hi Ada, you reached VIP", "dlv-key-1")
    assert result.outcome == SENT and result.code == 201 and result.error is None
    (message,) = twilio.messages
    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_id)
    assert message.sid == result.provider_id
    assert (message.to, message.from_, message.body) == (TO, FROM, "Hi Ada, you reached VIP")
    assert message.idempotency_key == "dlv-key-1"


def test_the_request_is_a_form_post_with_basic_auth_as_twilio_expects(twilio, sender):
    sender.send(TO, "Ça marche: 5 € & more = ok", "k")
    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.headers["accept"] == "application/json"
    expected = base64.b64encode(f"{twilio.account_sid}:{twilio.auth_token}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.form == {"To": TO, "From": FROM, "Body": "Ça marche: 5 € & more = ok"}
    assert request.headers["idempotency-key"] == "k"
    assert request.headers["user-agent"].lower().startswith("milepost")


def test_a_wrong_auth_token_is_retried_and_says_to_check_the_credentials(twilio):
    s = TwilioSender(twilio.account_sid, "not-the-token", FROM, twilio.base_url, timeout=5)
    try:
        result = s.send(TO, "Hi", "k")
    finally:
        s.close()
    assert result.outcome == RETRY and result.code == 401
    assert "Twilio error 20003: Authenticate" in result.error
    assert "auth token" in result.error
    assert twilio.messages == []


def test_an_invalid_number_fails_for_good_with_twilios_code(twilio, sender):
    result = sender.send("+0123", "Hi", "k")
    assert result.outcome == FAILED and result.code == 400
    assert result.error == "HTTP 400: Twilio error 21211: The 'To' number +0123 is not a valid phone number."
    assert result.retry_after is None
    assert len(twilio.requests) == 1 and twilio.messages == []


def test_a_rate_limit_is_retried_after_what_twilio_asks(twilio, sender):
    twilio.answer(429, error(429, 20429, "Too Many Requests"), {"Retry-After": "30"})
    result = sender.send(TO, "Hi", "k")
    assert result.outcome == RETRY and result.code == 429 and result.retry_after == 30.0
    assert "20429" in result.error
    assert sender.send(TO, "Hi", "k").outcome == SENT  # the next request is answered for real
    assert [r.headers["idempotency-key"] for r in twilio.requests] == ["k", "k"]


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(twilio, sender, status):
    twilio.answer(status, error(status, 20500, "Internal Server Error"))
    result = sender.send(TO, "Hi", "k")
    assert result.outcome == RETRY and result.code == status and result.retry_after is None
    assert f"HTTP {status}: Twilio error 20500" in result.error


def test_a_server_error_without_a_json_body_still_says_what_happened(twilio, sender):
    twilio.answer(502)
    result = sender.send(TO, "Hi", "k")
    assert result.outcome == RETRY and result.error == "HTTP 502 Bad Gateway"


def test_a_body_longer_than_twilio_takes_fails_without_a_request(twilio, sender):
    assert sender.send(TO, "x" * SMS_MAX, "k").outcome == SENT  # the limit itself is fine
    result = sender.send(TO, "x" * (SMS_MAX + 1), "k2")
    assert result.outcome == FAILED and result.code is None
    assert str(SMS_MAX + 1) in result.error and str(SMS_MAX) in result.error
    assert len(twilio.requests) == 1


def test_a_refused_connection_is_retried():
    s = TwilioSender("AC" + "0" * 32, "token", FROM, f"http://127.0.0.1:{free_port()}", timeout=5)
    try:
        result = s.send(TO, "Hi", "k")
    finally:
        s.close()
    assert result.outcome == RETRY and result.code is None
    assert "ConnectError" in result.error


def test_no_answer_in_time_is_retried(twilio):
    twilio.answer(201, {"sid": "SM" + "0" * 32}, delay=1.0)
    s = TwilioSender(twilio.account_sid, twilio.auth_token, FROM, twilio.base_url, timeout=0.2)
    t0 = time.monotonic()
    try:
        result = s.send(TO, "Hi", "k")
    finally:
        s.close()
    assert result.outcome == RETRY and "in time" in result.error
    assert time.monotonic() - t0 < 1.0


def test_from_settings_is_none_without_an_account_sid_and_a_sender_with_one(twilio):
    assert TwilioSender.from_settings(Settings()) is None
    assert TwilioSender.from_settings(Settings(twilio_account_sid="  ")) is None
    s = TwilioSender.from_settings(
        Settings(
            twilio_account_sid=f" {twilio.account_sid} ",
            twilio_auth_token=twilio.auth_token,
            twilio_from_number=FROM,
            twilio_base_url=f"{twilio.base_url}/",
        )
    )
    assert s is not None
    try:
        assert s.send(TO, "Hi", "k").outcome == SENT
    finally:
        s.close()
    assert twilio.messages[0].from_ == FROM


def test_a_redirect_is_not_followed_and_is_retried_since_it_is_fixed_in_the_settings(twilio, sender):
    twilio.answer(301, headers={"Location": "https://api.twilio.com/2010-04-01/Accounts/x/Messages.json"})
    result = sender.send(TO, "Hi", "k")
    assert result.outcome == RETRY and result.code == 301
    assert "https://api.twilio.com/" in result.error and "not followed" in result.error
    assert len(twilio.requests) == 1


def test_an_error_without_twilios_code_keeps_its_message(twilio, sender):
    twilio.answer(400, {"message": "Bad request", "status": 400})
    result = sender.send(TO, "Hi", "k")
    assert result.outcome == FAILED and result.error == "HTTP 400: Twilio error: Bad request"
