"""The stores in a real browser, on both backends: an Administrator creates a store from the
list after sign-in, edits its settings, switches between stores on the same page, and grows
an action editor row by row in the page (no request until the form is saved)."""

from __future__ import annotations

import uuid
from pathlib import Path

from browser_kit import PASSWORD
from playwright.sync_api import Page, Request, expect

from milepost import Milepost


def sign_in(page: Page, base: str, email: str, url: str = "/admin/") -> None:
    page.goto(f"{base}{url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_creates_a_store_from_the_list(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    mp.ingest(store, [{"id": "o1", "type": "order.paid", "customer_id": "ada", "order_id": "o1"}])
    sign_in(page, live_url, administrator)
    expect(page.get_by_role("heading", name="Stores")).to_be_visible()
    card = page.locator(f'.store-card[data-store="{store}"]')
    expect(card.locator("dd")).to_have_text(["1", "1", "0", "$0.00"])  # customers, orders, milestones, credit

    key = f"paris-{uuid.uuid4().hex[:8]}"
    page.get_by_role("link", name="Create store").click()
    page.get_by_label("Key").fill("Not a key")
    page.get_by_label("Name").fill("Paris shop")
    page.get_by_role("button", name="Create store").click()
    expect(page.locator("#e-key")).to_contain_text("lowercase letters")  # next to its field, the rest kept
    expect(page.get_by_label("Name")).to_have_value("Paris shop")
    page.get_by_label("Key").fill(key)
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Counting status").select_option("completed")
    page.get_by_role("button", name="Create store").click()

    expect(page).to_have_url(f"{live_url}/admin/{key}/settings/store?created=1")
    expect(page.get_by_role("status")).to_contain_text("Store created")
    created = mp.stores.get(key)
    assert (created.name, created.currency, created.timezone, created.counting_status) == (
        "Paris shop",
        "EUR",
        "Europe/Paris",
        "completed",
    )
    page.get_by_role("link", name="Milepost").click()
    expect(page.locator(f'.store-card[data-store="{key}"]')).to_contain_text("€0.00")
    page.screenshot(path=shots / "stores.png", full_page=True)


def test_an_administrator_edits_the_store_settings(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    sign_in(page, live_url, administrator, f"/admin/{store}")
    page.get_by_role("link", name="Store", exact=True).click()
    expect(page.get_by_role("heading", name="Store settings")).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Renamed shop")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("Sender name").fill("Shop Team")
    page.get_by_label("Sender address").fill("hello@shop.example")
    page.get_by_label("Reply-to address").fill("not an address")
    page.get_by_label("Logo URL").fill("https://shop.example/logo.png")
    page.get_by_label("Points per unit").fill("2")
    page.get_by_label("Allow negative points").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-reply_to_address")).to_contain_text("email address")
    assert mp.stores.get(store).name != "Renamed shop"  # nothing saved

    page.get_by_label("Reply-to address").fill("help@shop.example")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.screenshot(path=shots / "store-settings.png", full_page=True)
    expect(page.get_by_label("Reply-to address")).to_have_value("help@shop.example")
    s = mp.stores.get(store)
    assert (s.name, s.timezone, s.email_from_name, s.email_from_address) == (
        "Renamed shop",
        "Asia/Tokyo",
        "Shop Team",
        "hello@shop.example",
    )
    assert (s.reply_to_address, s.logo_url, s.points_per_unit, s.allow_negative_points) == (
        "help@shop.example",
        "https://shop.example/logo.png",
        2,
        True,
    )


def test_the_switcher_goes_to_the_same_page_of_another_store(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str
) -> None:
    other = mp.stores.create(f"other-{uuid.uuid4().hex[:8]}", f"Other {uuid.uuid4().hex[:4]}")
    sign_in(page, live_url, administrator, f"/admin/{store}/customers")
    expect(page.get_by_role("button", name="Switch")).to_be_hidden()  # with JavaScript, choosing is enough

    page.get_by_label("Store", exact=True).select_option(other.key)

    expect(page).to_have_url(f"{live_url}/admin/{other.key}/customers")
    expect(page.get_by_label("Store", exact=True)).to_have_value(other.key)
    page.get_by_role("link", name="Deliveries").click()
    expect(page).to_have_url(f"{live_url}/admin/{other.key}/log/deliveries")  # loaded before choosing again
    page.get_by_label("Store", exact=True).select_option(store)
    expect(page).to_have_url(f"{live_url}/admin/{store}/log/deliveries")


def test_add_another_action_grows_the_form_in_the_page_and_saving_keeps_every_action(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str
) -> None:
    sign_in(page, live_url, administrator, f"/admin/{store}/settings/order-count-events/new")
    page.get_by_label("Order count").fill("4")
    page.get_by_label("Event name").fill("Four of a kind")
    slots = page.locator(".action-slot")
    expect(slots).to_have_count(3)
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))

    for _ in range(2):
        page.get_by_role("button", name="Add another action").click()
    expect(slots).to_have_count(5)
    assert requests == []  # the rows came without a request
    expect(slots.nth(4).get_by_label("Action 5")).to_be_visible()

    for i, tag in enumerate(["one", "two", "three", "four", "five"]):
        slots.nth(i).get_by_label(f"Action {i + 1}").select_option("add_tag")
        slots.nth(i).get_by_label("Tag", exact=True).fill(tag)
    slots.nth(1).get_by_role("button", name="Remove").click()  # "two" goes; the rows after it move up
    expect(slots).to_have_count(4)
    expect(slots.nth(1).get_by_label("Action 2")).to_have_value("add_tag")
    expect(slots.nth(1).get_by_label("Tag", exact=True)).to_have_value("three")
    assert requests == []
    page.get_by_role("button", name="Create event").click()

    expect(page).to_have_url(f"{live_url}/admin/{store}/settings/order-count-events")
    (event,) = mp.order_count_events.list(store)
    assert [a.as_dict()["tag"] for a in event.rule.actions] == ["one", "three", "four", "five"]

    # Its edit form starts with its four actions; one more, and all five are saved
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Add another action").click()
    new = slots.nth(6)  # four actions, the two empty rows of the edit form, the new one
    new.get_by_label("Action 7").select_option("add_tag")
    new.get_by_label("Tag", exact=True).fill("six")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_url}/admin/{store}/settings/order-count-events")
    (event,) = mp.order_count_events.list(store)
    assert [a.as_dict()["tag"] for a in event.rule.actions] == ["one", "three", "four", "five", "six"]
