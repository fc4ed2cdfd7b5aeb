"""The real `milepost` command on both backends says what became of a milestone's email:
its delivery's status now (skipped and why, sent), never the "queued" of the firing; a
skipped one is sent again once the customer has consented; the store decides whether
milestone emails need marketing consent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from milepost import Milepost
from milepost.config import Settings
from milepost.testing import FrozenClock
from support.cli import MilepostCli


@pytest.fixture
def milepost(tmp_path: Path, database_url: str) -> MilepostCli:
    return MilepostCli(tmp_path, MILEPOST_DATABASE_URL=database_url)


def drain(mp: Milepost, store: str) -> None:
    worker = mp.worker(settings=Settings(delivery_jitter=0), stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()


def welcome_email(mp: Milepost, store: str, **profile: object) -> None:
    """The first order sends the `hi` email; `ada` places it with this profile."""
    mp.templates.save(store, "hi", subject="Hi", body_text="Thanks")
    mp.order_count_events.create(store, count=1, name="First", actions=[{"type": "send_email", "template": "hi"}])
    created = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": "ada", **profile}
    paid = {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 900}
    assert mp.ingest(store, [created, paid]).accepted == 2


def test_customers_show_and_the_log_say_skipped_and_why_then_sent_after_consent_and_retry(
    milepost: MilepostCli, mp: Milepost, store: str, clock: FrozenClock
) -> None:
    clock.set(datetime.now(UTC))  # the command's retry makes it due at the real time
    # Given an email the worker skipped: ada has not consented
    welcome_email(mp, store, email="ada@example.com")
    drain(mp, store)
    # Then the customer's report and the log say so, not "queued"
    shown = milepost("customers", "show", "ada", "--store", store).stdout
    assert "send_email: skipped" in shown and "not consented to marketing email" in shown
    assert "queued" not in shown
    log = milepost("milestones", "log", "--store", store).stdout
    assert "send_email: skipped" in log and "queued" not in log
    (reached,) = milepost.json("customers", "show", "ada", "--store", store)["milestones"]
    (action,) = reached["actions"]
    assert action["status"] == "skipped" and "consented" in action["reason"]

    # When a retry comes before consent, it is refused with the reason
    refused = milepost("deliveries", "retry", f"dlv_{action['delivery_id']}", "--store", store, expect=2)
    assert refused.stderr.startswith("error: ") and "not consented to marketing email" in refused.stderr

    # When ada consents, a retry sends it, once
    consent = {"id": uuid.uuid4().hex, "type": "customer.updated", "customer_id": "ada", "email_consent": True}
    mp.ingest(store, [consent])
    again = milepost("deliveries", "retry", f"dlv_{action['delivery_id']}", "--store", store)
    assert "due again now" in again.stdout
    clock.advance(seconds=120)  # past the command's own clock
    drain(mp, store)
    shown = milepost("customers", "show", "ada", "--store", store).stdout
    assert "send_email: sent" in shown and "skipped" not in shown
    assert len(mp.mailbox.list(store)) == 1 and len(mp.deliveries.list(store)) == 1


def test_a_transactional_store_sends_milestone_emails_without_marketing_consent(
    milepost: MilepostCli, mp: Milepost, store: str
) -> None:
    updated = milepost.json("stores", "update", store, "--milestone-emails", "transactional")
    assert updated["milestone_emails"] == "transactional"
    welcome_email(mp, store, email="ada@example.com")
    drain(mp, store)
    assert "send_email: sent" in milepost("milestones", "log", "--store", store).stdout
    bad = milepost("stores", "update", store, "--milestone-emails", "sometimes", expect=2)
    assert "sometimes" in bad.stderr
