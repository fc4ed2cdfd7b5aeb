"""The email template editor in a real browser: typing a draft updates the preview for a
chosen customer (their name in the subject, the text and the sandboxed HTML frame) without
saving anything; a mistake is marked next to its field with its line; then saving."""

from __future__ import annotations

from pathlib import Path

from browser_kit import PASSWORD
from playwright.sync_api import ConsoleMessage, Page, expect

from milepost import Milepost


def test_typing_a_draft_updates_the_preview_for_the_chosen_customer(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    mp.ingest(store, [{"id": "p1", "type": "customer.updated", "customer_id": "c1", "name": "Grace Hopper"}])
    console: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: console.append(m.text) if _is_error(m) else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    editor = f"/admin/{store}/settings/email-templates/new"
    page.goto(f"{live_url}{editor}")
    page.get_by_label("Email").fill(administrator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_url}{editor}")
    preview = page.locator("#preview-pane")

    # Type the draft and choose the customer: the preview follows, no button pressed
    page.get_by_label("Key").fill("vip-welcome")
    page.get_by_label("Customer id").fill("c1")
    page.get_by_label("Subject").fill("Welcome to the club, {{ customer.name }}")
    page.get_by_label("Text body").fill("Dear {{ customer.name }},\nthank you!")
    page.get_by_label("HTML body (optional)").fill("<h1>Hello {{ customer.name }}</h1><script>parent.alert(1)</script>")
    expect(preview.locator(".preview-subject")).to_have_text("Welcome to the club, Grace Hopper")
    expect(preview.locator(".preview-text")).to_contain_text("Dear Grace Hopper,")
    expect(page.frame_locator("iframe.preview-html").locator("h1")).to_have_text("Hello Grace Hopper")
    assert mp.templates.list(store) == []  # nothing saved
    page.screenshot(path=shots / "email-template-editor.png", full_page=True)

    # A mistake is marked next to its field, with its line; correcting it clears the mark
    body = page.get_by_label("Text body")
    body.fill("Dear {{ customer.name }},\n{{ customer.name }")
    expect(page.locator("#e-body_text")).to_have_text("line 2: unexpected '}'")
    body.fill("Dear {{ customer.name }}, see you soon")
    expect(page.locator("#e-body_text")).to_have_count(0)
    expect(preview.locator(".preview-text")).to_have_text("Dear Grace Hopper, see you soon")

    # An unknown customer says so next to the customer id
    page.get_by_label("Customer id").fill("ghost")
    expect(page.locator("#e-customer_id")).to_have_text("no customer 'ghost' in this store")

    page.get_by_role("button", name="Create template").click()
    expect(page).to_have_url(f"{live_url}/admin/{store}/settings/email-templates")
    expect(page.locator("tbody tr").first).to_contain_text("Welcome to the club, {{ customer.name }}")
    assert mp.templates.get(store, "vip-welcome")["body_text"] == "Dear {{ customer.name }}, see you soon"
    # the email's script never ran: the frame is sandboxed, and the admin's CSP held
    assert dialogs == [] and any("frame is sandboxed" in m for m in console), console
    assert not any("Content Security Policy" in m for m in console), console


def _is_error(message: ConsoleMessage) -> bool:
    return message.type == "error"
