"""What the event and program forms say and offer, on both backends: the metric named in the
operator's words, a help text for each field, and the rows of the action editor (a few empty
ones without JavaScript, and the button that adds one in the page with it)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from milepost import Milepost

EVENTS = "/admin/{store}/settings/order-count-events"
PROGRAMS = "/admin/{store}/settings/programs"


def test_the_program_form_names_its_metric_and_explains_each_field(admin: TestClient, mp: Milepost, store: str):
    page = admin.get(PROGRAMS.format(store=store) + "/new").text
    assert '<label for="f-metric">Metric</label>' in page
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', page.split('id="f-metric"')[1])
    assert options[:3] == [
        ("order_count", "Number of orders"),
        ("amount_spent", "Amount spent"),
        ("review_count", "Number of reviews"),
    ]
    for name in ("name", "metric", "threshold", "every", "clawback_days", "conditions"):
        field = page.split(f'for="f-{name}"')[1].split('<div class="field')[0]
        assert "<small" in field, f"no help for {name}"
    assert "Off: it fires for nobody" in page  # the Active switch's help

    program = mp.programs.create(
        store, name="Big spender", metric="amount_spent", threshold=50_000, actions=[{"type": "alert"}]
    )
    edit = admin.get(f"{PROGRAMS.format(store=store)}/{program.rule.id}/edit").text
    assert re.search(r'<label for="f-metric">Metric</label>\s*<input id="f-metric" value="Amount spent" readonly', edit)


def test_the_event_form_says_what_it_counts_and_can_grow(admin: TestClient, store: str):
    page = admin.get(EVENTS.format(store=store) + "/new").text
    assert "Metric: number of orders" in page
    assert page.count('class="action-slot"') == 3  # empty rows to fill without JavaScript
    button = re.search(r"<button[^>]*class=\"add-action\"[^>]*>Add another action</button>", page)
    assert button and 'type="button"' in button.group(0) and 'data-max="20"' in button.group(0)
    assert "hidden" in button.group(0)  # shown by admin.js: without JavaScript it could not add a row


def test_the_programs_table_names_an_emails_template_with_its_key_on_hover(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", name="You're a VIP!", subject="Hi", body_text="Hi")
    mp.programs.create(
        store,
        name="Big spender",
        metric="amount_spent",
        threshold=50_000,
        actions=[{"type": "send_email", "template": "vip"}],
    )
    page = admin.get(PROGRAMS.format(store=store)).text
    assert '<div title="template vip">email “You&#39;re a VIP!”</div>' in page
