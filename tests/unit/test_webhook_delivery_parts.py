"""Webhook signatures verified by the `standardwebhooks` library, and the addresses a
webhook may go to."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from milepost.adapters.channels.addresses import check_address, check_url
from milepost.adapters.channels.signing import signed_headers
from milepost.domain.delivery import new_secret
from milepost.errors import ValidationError
from support.addresses import NOT_PUBLIC, PUBLIC

BODY = '{"type":"milestone.reached","timestamp":"2026-03-01T12:00:00Z","data":{"customer_id":"ada"}}'


def _now() -> int:
    import time

    return int(time.time())


def test_what_we_sign_verifies_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_outbox_42", _now(), BODY)

    assert Webhook(secret).verify(BODY, headers) == {
        "type": "milestone.reached",
        "timestamp": "2026-03-01T12:00:00Z",
        "data": {"customer_id": "ada"},
    }
    assert secret.startswith("whsec_") and headers["webhook-id"] == "msg_outbox_42"


def test_while_a_secret_rotates_both_the_old_and_the_new_verify() -> None:
    old, new = new_secret(), new_secret()
    headers = signed_headers([new, old], "msg_1", _now(), BODY)

    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)


def test_a_tampered_body_or_another_secret_does_not_verify() -> None:
    secret = new_secret()
    headers = signed_headers([secret], "msg_1", _now(), BODY)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("ada", "eve"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://localhost:8080/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("ftp://example.com/hook", "http or https"),
        ("https://user:pw@93.184.216.34/hook", "user name or password"),
        ("https:///no-host", "http or https"),
    ],
)
def test_urls_to_this_machine_or_private_networks_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_url(url)
    assert reason in caught.value.problems["url"]


def test_the_operator_may_allow_private_addresses_and_public_ones_pass() -> None:
    assert check_url("http://127.0.0.1:9000/hook", allow_private=True) == ["127.0.0.1"]
    assert check_url("https://93.184.216.34/hook") == ["93.184.216.34"]


@pytest.mark.parametrize(("url", "reason"), NOT_PUBLIC)
def test_addresses_that_are_not_globally_reachable_are_refused_at_save_and_at_delivery(url: str, reason: str) -> None:
    for check in (check_address, check_url):
        with pytest.raises(ValidationError) as caught:
            check(url)
        assert reason in caught.value.problems["url"] and "MILEPOST_WEBHOOKS_ALLOW_PRIVATE" in str(caught.value)
    assert check_address(url, allow_private=True)


@pytest.mark.parametrize("url", [*PUBLIC, "https://example.com/hooks", "https://hooks.example.invalid/x"])
def test_a_name_is_not_looked_up_at_save_only_at_delivery(url: str) -> None:
    assert check_address(url)
    if url.endswith("/x"):  # `.invalid` never resolves: the delivery is tried again later
        with pytest.raises(ValidationError, match="does not resolve"):
            check_url(url)
