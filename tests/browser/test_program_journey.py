"""Settings > Milestone Programs in a real browser (Chromium through Playwright): an
Administrator adds "$500 spent" with a points reward, a repeat, a window and a
clawback policy, sees it in the table, and a customer's spending fires it."""

from __future__ import annotations

from pathlib import Path

from browser_kit import PASSWORD
from playwright.sync_api import Page, expect

from milepost import Milepost


def test_an_amount_spent_program_from_the_form_to_its_firing(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    programs = f"/admin/{store}/settings/programs"
    page.goto(f"{live_url}{programs}")
    page.get_by_label("Email").fill(administrator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Milestone Programs")).to_be_visible()

    page.get_by_role("link", name="Add Program").click()
    page.get_by_label("Program name").fill("Big spender")
    page.get_by_label("Metric", exact=True).select_option("amount_spent")
    page.get_by_label("Threshold").fill("500.00")
    page.get_by_label("Repeat every (optional)").fill("500.00")
    page.get_by_label("Clawback, in days (optional)").fill("30")
    page.get_by_label("Starts").fill("2026-01-01T00:00")
    slot = page.locator(".action-slot").nth(0)
    slot.get_by_label("Action 1").select_option("points")
    slot.get_by_label("Points").fill("250")
    page.screenshot(path=shots / "program-form.png", full_page=True)
    page.get_by_role("button", name="Create program").click()

    expect(page).to_have_url(f"{live_url}{programs}")
    row = page.locator("tbody tr", has_text="Big spender")
    expect(row).to_contain_text("$500.00")
    expect(row).to_contain_text("30")
    page.screenshot(path=shots / "programs.png", full_page=True)

    orders = [
        {"id": f"e{i}", "type": "order.paid", "customer_id": "ada", "order_id": f"o{i}", "total": 30000}
        for i in range(4)
    ]
    assert mp.ingest(store, orders).accepted == 4  # $1,200: the $500 mark, then $1,000
    assert [m.occurrence for m in mp.customers.get(store, "ada").milestones] == [1, 2]
    assert sum(e.points for e in mp.ledgers.entries(store, "ada", unit="points")) == 500
