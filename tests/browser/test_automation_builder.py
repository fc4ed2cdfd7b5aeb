"""The first-purchase anniversary built in a real browser (Chromium through Playwright), on
both backends: an Administrator builds it in Settings > Automations (a trigger, an audience
of two conditions, a "1-2 orders" branch giving a pool code with an on-failure alert, then
recording an event, tagging and emailing, and a "3+ orders" branch thanking), runs a date
from the same page, reads the run in the log, and the worker sends the emails to a real
SMTP server: the gift email carries the customer's code."""

from __future__ import annotations

from pathlib import Path

from browser_kit import sign_in
from playwright.sync_api import Locator, Page, expect

from milepost import Milepost
from milepost.config import Settings
from support.automations import ANNIVERSARY, POOL
from support.smtp import SmtpSink


def given_a_shop(mp: Milepost, store: str) -> None:
    mp.templates.save(
        store, "anniversary_gift", subject="A year already!", body_text="Your gift: {{ reward.coupon_code }}"
    )
    mp.templates.save(store, "anniversary_thanks", subject="Thank you", body_text="Thanks, {{ customer.name }}")
    mp.pools.create(store, POOL, name="Anniversary", discount={"kind": "percentage", "percent": 15})
    mp.pools.import_codes(store, POOL, ["ANNIV-0001-GIFT", "ANNIV-0002-GIFT"])
    mp.aggregates.create(store, "orders_365d", name="Orders in a year", source="orders", window_days=365)
    for cid, paid in (("ann", ["2025-03-01"]), ("tom", ["2025-03-01", "2025-06-01", "2026-01-10"])):
        profile = {"id": f"p-{cid}", "type": "customer.created", "customer_id": cid, "name": cid.title()}
        profile |= {"email": f"{cid}@example.com", "email_consent": True, "occurred_at": "2024-01-01T00:00:00Z"}
        orders = [
            {"id": f"{cid}-{i}", "type": "order.paid", "customer_id": cid, "order_id": f"{cid}-{i}", "total": 900}
            | {"occurred_at": f"{day}T10:00:00Z"}
            for i, day in enumerate(paid)
        ]
        assert mp.ingest(store, [profile, *orders]).accepted == 1 + len(orders)


def condition(rows: Locator, n: int | str, field: str, op: str, value: str = "") -> None:
    rows.get_by_label(f"Field {n}", exact=True).fill(field)
    rows.get_by_label(f"Operator {n}", exact=True).select_option(op)
    if value:
        rows.get_by_label(f"Value {n}", exact=True).fill(value)


def action(editor: Locator, n: int, kind: str, label: str = "Action") -> Locator:
    """Row `n` of the editor (not of the on-failure lists inside it) set to `kind`, a row
    added when the editor has fewer; `label`: its rows' ("On failure" for an on-failure list)."""
    slots = editor.locator(":scope > .action-slot")
    if slots.count() < n:
        editor.locator(":scope > .add-row").get_by_role("button", name="Add another action").click()
    slot = slots.nth(n - 1)
    slot.get_by_label(f"{label} {n}", exact=True).select_option(kind)
    return slot


def test_build_the_anniversary_run_a_day_and_see_the_email_and_the_log(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    given_a_shop(mp, store)
    sign_in(page, live_url, f"/admin/{store}", administrator)
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("link", name="New automation").click()

    # The trigger and the audience
    page.get_by_label("Key").fill(ANNIVERSARY)
    page.get_by_label("Name", exact=True).fill("First purchase anniversary")
    page.get_by_label("When").select_option("first_purchase")
    page.get_by_label("Days", exact=True).fill("365")
    audience = page.locator("form.automation > fieldset.conditions")
    condition(audience, 1, "email", "valid")
    condition(audience, 2, "email_consent", "is", "true")

    # Branch 1: a pool code (on failure: an alert), an event, a tag, the gift email
    one = page.locator("fieldset.branch").nth(0)
    one.get_by_label("Branch name").fill("1-2 orders")
    condition(one.locator("fieldset.conditions"), 1, "aggregate.orders_365d", "between", "1 and 2")
    actions = one.locator("fieldset.actions").nth(0)
    code_slot = action(actions, 1, "pool_code")
    code_slot.get_by_label("Coupon pool").select_option(POOL)
    event = action(actions, 2, "record_event")
    event.get_by_label("Custom event name").fill("coupon assigned")
    event.get_by_label("Properties").fill(f"promotion: {POOL}\ncoupon code: {{{{ code }}}}")
    action(actions, 3, "add_tag").get_by_label("Tag", exact=True).fill("coupon_1year_anniversary")
    action(actions, 4, "send_email").get_by_label("Email template").select_option("anniversary_gift")
    alert = action(code_slot.locator("fieldset.actions"), 1, "alert", "On failure")
    alert.get_by_label("Alert message").fill("{customer} got no code: pool " + POOL + " is empty")

    # Branch 2: the thank-you email
    two = page.locator("fieldset.branch").nth(1)
    two.get_by_label("Branch name").fill("3+ orders")
    condition(two.locator("fieldset.conditions"), 1, "aggregate.orders_365d", ">=", "3")
    action(two.locator("fieldset.actions").nth(0), 1, "send_email").get_by_label("Email template").select_option(
        "anniversary_thanks"
    )
    page.get_by_label("Active from (optional)").fill("2025-01-01")
    page.screenshot(path=shots / "automation-builder.png", full_page=True)
    page.get_by_role("button", name="Create automation").click()

    # Saved as the API would hold it
    expect(page).to_have_url(f"{live_url}/admin/{store}/settings/automations")
    row = page.locator(f'tr[data-automation="{ANNIVERSARY}"]')
    expect(row).to_contain_text("365 days after the first paid purchase")
    expect(row).to_contain_text("never")
    saved = mp.automations.get(store, ANNIVERSARY).automation.as_dict()
    (pool_code, *_rest) = saved["branches"][0]["actions"]
    assert pool_code["on_failure"] == [
        {"type": "alert", "message": "{customer} got no code: pool " + POOL + " is empty"}
    ]
    assert [b["name"] for b in saved["branches"]] == ["1-2 orders", "3+ orders"]

    # Run 2026-03-01 from the page: the run in the table and in the log
    page.get_by_label("Date (optional)").fill("2026-03-01")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Ran 2026-03-01: 2 automation firings")
    expect(row).to_contain_text("2 in the audience, 2 fired, 0 in no branch")
    row.get_by_role("link", name="2026-03-01").click()
    ann = page.locator('tr[data-customer="ann"]')
    expect(ann).to_contain_text("1-2 orders")
    expect(ann).to_contain_text("Give a code from a pool")
    expect(page.locator('tr[data-customer="tom"]')).to_contain_text("3+ orders")

    # The worker sends both emails to a real SMTP server; Ann's carries her code
    with SmtpSink() as smtp:
        worker = mp.worker(
            settings=Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"), stores=[store]
        )
        try:
            worker.drain()
        finally:
            worker.close()
    mail = {m["To"]: m for m in smtp.messages}
    gift, thanks = mail["Ann <ann@example.com>"], mail["Tom <tom@example.com>"]
    (code,) = [c for c in ("ANNIV-0001-GIFT", "ANNIV-0002-GIFT") if c in gift.get_content()]
    assert gift["Subject"] == "A year already!" and thanks["Subject"] == "Thank you"
    assert "coupon_1year_anniversary" in mp.customers.get(store, "ann").tags

    page.reload()
    expect(ann).to_contain_text("Send email sent")  # the delivery as it stands now
    page.screenshot(path=shots / "automation-run.png", full_page=True)
    ann.get_by_role("link", name="ann").click()
    expect(page).to_have_url(f"{live_url}/admin/{store}/customers/ann")
    assert code in gift.get_content()
