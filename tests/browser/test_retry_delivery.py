"""Retrying a dead webhook in a real browser (Chromium through Playwright): a receiver that
fails until it is told to succeed leaves the delivery dead; an Agent finds the milestone
in the log, opens the deliveries, clicks through to the dead one, clicks Retry, and once
the worker ran and the page is reloaded, sees it sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import PASSWORD, retry_until_sent, run_worker, sign_in
from playwright.sync_api import Page, expect

from milepost import Milepost
from milepost.testing import FrozenClock
from support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def test_an_agent_retries_a_dead_webhook_and_sees_it_sent(
    page: Page, live_url: str, mp: Milepost, store: str, clock: FrozenClock, receiver: Receiver, shots: Path
) -> None:
    # A webhook whose receiver answers 500 to every attempt the schedule allows: dead
    mp.webhooks.create(store, url=f"{receiver.url}/hooks", event_types=["milestone.reached"])
    mp.order_count_events.create(store, count=1, name="First order", actions=[{"type": "add_tag", "tag": "Buyer"}])
    mp.ingest(store, [{"id": "e1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 2500}])
    receiver.answer(500, times=3)
    for _ in range(3):
        run_worker(mp, store)
        clock.advance(seconds=2)
    (dead,) = mp.deliveries.list(store, status="dead")
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")

    # The milestone log shows who reached what and what it did
    sign_in(page, live_url, f"/admin/{store}/log/milestones", email)
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("ada")
    expect(row).to_contain_text("First order")
    expect(row).to_contain_text("tagged 'Buyer'")
    page.screenshot(path=shots / "milestone-log.png", full_page=True)

    # The deliveries: the dead webhook, then the delivery with its three failed attempts
    page.get_by_role("link", name="Deliveries").click()
    listed = page.locator(f'tr[data-delivery-id="{dead.id}"]')
    expect(listed).to_contain_text("dead")
    expect(listed).to_contain_text(f"{receiver.url}/hooks")
    page.screenshot(path=shots / "deliveries.png", full_page=True)
    listed.get_by_role("link", name=f"dlv_{dead.id}").click()
    expect(page.locator("h1 .status")).to_have_text("dead")
    expect(page.locator("table.attempts tbody tr")).to_have_count(3)

    # Retry: pending again; the worker sends it to the receiver, which answers 204 now
    retry_until_sent(page, mp, store, attempts=4)
    page.screenshot(path=shots / "delivery.png", full_page=True)
    assert len(receiver.requests) == 4
