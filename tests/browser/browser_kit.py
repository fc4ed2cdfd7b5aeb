"""What the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from milepost import Milepost
from milepost.config import Settings

PASSWORD = "correct horse battery"  # every test user's
WORKER = Settings(webhooks_allow_private=True, delivery_jitter=0, delivery_schedule=[0, 1, 1])


def run_worker(mp: Milepost, store: str) -> None:
    """What `milepost worker` does, once: deliver what is due now."""
    worker = mp.worker(settings=WORKER, stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()


def sign_in(page: Page, base: str, url: str, email: str) -> None:
    """Open `url`, sign in as `email` on the form it leads to, and be back at `url`."""
    page.goto(f"{base}{url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{url}")


def retry_until_sent(page: Page, mp: Milepost, store: str, attempts: int) -> None:
    """On a delivery's page: click Retry, see it pending, run the worker, and see it sent
    with `attempts` attempts in all and no Retry left."""
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text("Queued to be sent again")
    expect(page.locator("h1 .status")).to_have_text("pending")
    run_worker(mp, store)
    page.reload()
    expect(page.locator("h1 .status")).to_have_text("sent")
    expect(page.locator("table.attempts tbody tr")).to_have_count(attempts)
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
