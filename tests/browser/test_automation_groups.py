"""Nested condition groups and a pool code's own On failure list, built in a real browser
(Chromium through Playwright), on both backends: an Administrator adds a negated "any"
group to the audience and two pool codes, each with its own On failure list; the saved
definition is what was built, opening and saving it again changes nothing; an Agent sees
the builder read-only and cannot save it. An event trigger's properties are rows of
property, operator and value, one per operator."""

from __future__ import annotations

import uuid
from pathlib import Path

from browser_kit import PASSWORD, sign_in
from playwright.sync_api import Browser, Page, expect
from test_automation_builder import action, condition

from milepost import Milepost

BUILT = {
    "key": "vip_nudge",
    "name": "VIP nudge",
    "trigger": {"type": "first_purchase", "days": 30},
    "audience": {
        "all": [
            {"field": "email", "op": "valid"},
            {
                "not": {
                    "any": [
                        {"field": "tag", "op": "has", "value": "churned"},
                        {"field": "attribute.plan", "op": "=", "value": "free"},
                    ]
                }
            },
        ]
    },
    "branches": [
        {
            "name": "everyone",
            "when": None,
            "actions": [
                {
                    "type": "pool_code",
                    "pool": "gold",
                    "on_failure": [{"type": "alert", "message": "no gold code\nfor {customer}"}],
                },
                {"type": "pool_code", "pool": "silver", "on_failure": [{"type": "add_tag", "tag": "no_silver"}]},
                {"type": "add_tag", "tag": "nudged"},
            ],
        }
    ],
    "active_from": None,
    "send_at_local_hour": None,
    "active": True,
}


def test_build_nested_groups_and_two_on_failure_lists(
    page: Page, browser: Browser, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    for pool in ("gold", "silver"):
        mp.pools.create(store, pool, name=pool.title(), discount={"kind": "percentage", "percent": 10})
    base = f"/admin/{store}/settings/automations"
    sign_in(page, live_url, f"{base}/new", administrator)
    page.get_by_label("Key").fill("vip_nudge")
    page.get_by_label("Name", exact=True).fill("VIP nudge")
    page.get_by_label("Days", exact=True).fill("30")

    # The audience: a valid email, and not (tagged churned or on the free plan)
    audience = page.locator("form.automation > fieldset.conditions")
    condition(audience, 1, "email", "valid")
    audience.locator(":scope > .items > .condition-row").nth(1).get_by_role("button", name="Remove condition 2").click()
    audience.locator(":scope > .add-row").get_by_role("button", name="Add a group").click()
    group = audience.locator("fieldset.condition-group")
    expect(group.locator("legend")).to_have_text("Group 2")
    group.get_by_label("Group 2: customers who meet").select_option("any")
    group.get_by_label("Not (group 2)").check()
    condition(group, "2.1", "tag", "has", "churned")
    condition(group, "2.2", "attribute.plan", "=", "free")

    # One branch: two pool codes, each with its own On failure list, then a tag
    branch = page.locator("fieldset.branch").nth(0)
    branch.get_by_label("Branch name").fill("everyone")
    actions = branch.locator("fieldset.actions").nth(0)
    gold = action(actions, 1, "pool_code")
    gold.get_by_label("Coupon pool").select_option("gold")
    action(gold.locator("fieldset.actions"), 1, "alert", "On failure").get_by_label("Alert message").fill(
        "no gold code\nfor {customer}"
    )
    silver = action(actions, 2, "pool_code")
    silver.get_by_label("Coupon pool").select_option("silver")
    action(silver.locator("fieldset.actions"), 1, "add_tag", "On failure").get_by_label("Tag", exact=True).fill(
        "no_silver"
    )
    tag = action(actions, 3, "add_tag")
    tag.get_by_label("Tag", exact=True).fill("nudged")
    expect(tag.locator("fieldset.actions")).to_have_count(0)  # only a pool code has an On failure list
    page.screenshot(path=shots / "automation-builder-groups.png", full_page=True)
    page.get_by_role("button", name="Create automation").click()

    expect(page).to_have_url(f"{live_url}{base}")
    saved = mp.automations.get(store, "vip_nudge").automation.as_dict()
    assert saved == BUILT

    # Opened and saved again as it is: nothing changes
    page.goto(f"{live_url}{base}/vip_nudge/edit")
    expect(page.get_by_label("Not (group 2)")).to_be_checked()
    expect(page.get_by_label("Field 2.2", exact=True)).to_have_value("attribute.plan")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_url}{base}")
    assert mp.automations.get(store, "vip_nudge").automation.as_dict() == BUILT

    # An Agent sees the builder, read-only
    agent = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(agent, "Al Agent", PASSWORD, "agent")
    other = browser.new_page()
    try:
        sign_in(other, live_url, f"{base}/vip_nudge", agent)
        other.get_by_role("link", name="Open in the builder").click()
        expect(other.get_by_role("note")).to_contain_text("Read-only")
        expect(other.get_by_label("Group 2: customers who meet")).to_have_value("any")
        expect(other.get_by_label("Field 2.1", exact=True)).to_be_disabled()
        expect(other.get_by_role("textbox", name="Alert message")).to_have_value("no gold code\nfor {customer}")
        expect(other.get_by_role("button", name="Save")).to_have_count(0)
        expect(other.get_by_role("button", name="Add a group")).to_have_count(0)
        other.screenshot(path=shots / "automation-builder-read-only.png", full_page=True)
    finally:
        other.close()
    assert mp.automations.get(store, "vip_nudge").automation.as_dict() == BUILT


def test_an_event_trigger_s_operator_rows_in_the_builder(
    page: Page, browser: Browser, live_url: str, mp: Milepost, store: str, administrator: str
) -> None:
    where = {"value": {"gt": 50, "lt": 100}, "plan": "gold"}
    mp.automations.create(
        store,
        {
            "key": "big_intent",
            "name": "Big intent",
            "trigger": {"type": "event", "event": "purchase intent", "where": where},
            "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": "intent"}]}],
        },
    )
    base = f"/admin/{store}/settings/automations"
    sign_in(page, live_url, f"{base}/big_intent/edit", administrator)
    # one row per property and operator, then two empty rows
    expect(page.get_by_label("Property 1", exact=True)).to_have_value("plan")
    expect(page.get_by_label("Property operator 2", exact=True)).to_have_value("gt")
    expect(page.get_by_label("Property value 3", exact=True)).to_have_value("100")
    expect(page.get_by_label("Property operator 4", exact=True)).to_have_value("eq")
    expect(page.get_by_label("Property 5", exact=True)).to_have_value("")
    page.get_by_label("Property value 2", exact=True).fill("fifty")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-where-1-value")).to_have_text("must be a number, like 50 or 9.5")

    page.get_by_label("Property value 2", exact=True).fill("60")
    page.get_by_label("Property 4", exact=True).fill("coupon")
    page.get_by_label("Property operator 4", exact=True).select_option("exists")
    page.get_by_label("Property value 4", exact=True).fill("false")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_url}{base}")
    saved = mp.automations.get(store, "big_intent").automation.as_dict()["trigger"]["where"]
    assert saved == {"value": {"gt": 60, "lt": 100}, "plan": "gold", "coupon": {"exists": False}}

    agent = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(agent, "Al Agent", PASSWORD, "agent")
    other = browser.new_page()
    try:  # read-only: the rows saved, not the empty ones
        sign_in(other, live_url, f"{base}/big_intent/edit", agent)
        expect(other.locator(".where-row")).to_have_count(4)
        expect(other.get_by_label("Property value 1", exact=True)).to_be_disabled()
    finally:
        other.close()
