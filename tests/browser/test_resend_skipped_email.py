"""Re-sending a skipped email in a real browser (Chromium through Playwright): a milestone
email the worker skipped because the customer had not consented says so in the milestone
log; an Agent clicks through to its delivery, where Retry is refused with the reason until
the customer consents, and once they have, Retry sends it: the same delivery, once."""

from __future__ import annotations

import uuid
from pathlib import Path

from browser_kit import PASSWORD, retry_until_sent, run_worker, sign_in
from playwright.sync_api import Page, expect

from milepost import Milepost

NO_CONSENT = "the customer has not consented to marketing email"


def test_an_agent_resends_a_skipped_email_once_the_customer_has_consented(
    page: Page, live_url: str, mp: Milepost, store: str, shots: Path
) -> None:
    # Given the first order's email, skipped: Ada has an address but no consent
    mp.templates.save(store, "thanks", subject="Thank you", body_text="Hello {{ customer.name }}")
    first = [{"type": "send_email", "template": "thanks"}]
    mp.order_count_events.create(store, count=1, name="First order", actions=first)
    ada = {"id": "p1", "type": "customer.created", "customer_id": "ada", "name": "Ada", "email": "ada@x.example"}
    mp.ingest(store, [ada, {"id": "o1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 900}])
    run_worker(mp, store)
    (skipped,) = mp.deliveries.list(store, status="skipped")
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")

    # The milestone log says skipped and why, not "queued"
    sign_in(page, live_url, f"/admin/{store}/log/milestones", email)
    row = page.locator("tbody tr").first
    expect(row).to_contain_text(f"email 'thanks' skipped: {NO_CONSENT}")
    expect(row).not_to_contain_text("queued")
    page.screenshot(path=shots / "milestone-log-skipped.png", full_page=True)

    # Its delivery, then Retry before consent: refused, with the reason
    row.get_by_role("link", name="skipped").click()
    expect(page).to_have_url(f"{live_url}/admin/{store}/log/deliveries/{skipped.id}")
    expect(page.locator("h1 .status")).to_have_text("skipped")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("alert")).to_contain_text(f"still cannot be sent: {NO_CONSENT}")
    expect(page.locator("h1 .status")).to_have_text("skipped")

    # Ada consents; Retry now: pending, and the worker sends it
    mp.ingest(store, [{"id": "c1", "type": "customer.updated", "customer_id": "ada", "email_consent": True}])
    retry_until_sent(page, mp, store, attempts=2)

    # The log says sent; one delivery, one email
    page.get_by_role("link", name="Milestones").click()
    expect(page.locator("tbody tr").first).to_contain_text("email 'thanks' sent")
    page.screenshot(path=shots / "milestone-log-resent.png", full_page=True)
    assert [d.id for d in mp.deliveries.list(store)] == [skipped.id]
    assert [m.recipient for m in mp.mailbox.list(store)] == ["Ada <ada@x.example>"]
