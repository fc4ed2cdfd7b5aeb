"""Settings > Automations through the admin UI's forms, on both backends: the table (the
trigger in words, the last run's counts), the builder saving the first-purchase
anniversary as the API would take it (amounts typed as money), a refused save showing each
problem next to its field with what was typed kept, an edit round trip, the daily run
button, the run log by day and a day's customers with what each action did; Agents see
it all but change nothing."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from support.automations import ANNIVERSARY, POOL, anniversary

BASE = "/admin/{store}/settings/automations"


@pytest.fixture
def shop(mp: Milepost, store: str) -> str:
    """The store with what the anniversary names: its two templates, its pool (one code) and aggregate."""
    mp.templates.save(store, "anniversary_gift", subject="A year already!", body_text="Gift: {{ reward.coupon_code }}")
    mp.templates.save(store, "anniversary_thanks", subject="Thank you", body_text="Thanks, {{ customer.name }}")
    mp.pools.create(store, POOL, name="Anniversary", discount={"kind": "percentage", "percent": 15})
    mp.pools.import_codes(store, POOL, ["ANNIV-0001-CODE"])
    mp.aggregates.create(store, "orders_365d", name="Orders in a year", source="orders", window_days=365)
    return store


def anniversary_form(**changes: str) -> dict[str, str]:
    """The builder filled in as an operator fills it for the anniversary."""
    typed = {
        "key": ANNIVERSARY,
        "name": "First purchase anniversary",
        "trigger_type": "first_purchase",
        "trigger_days": "365",
        "audience-match": "all",
        "audience-0-field": "email",
        "audience-0-op": "valid",
        "audience-1-field": "email_consent",
        "audience-1-op": "is",
        "audience-1-value": "true",
        "b0-name": "1-2 orders",
        "b0-cond-match": "all",
        "b0-cond-0-field": "aggregate.orders_365d",
        "b0-cond-0-op": "between",
        "b0-cond-0-value": "1 and 2",
        "b0-action-0-type": "pool_code",
        "b0-action-0-pool": POOL,
        "b0-action-1-type": "record_event",
        "b0-action-1-event": "coupon assigned",
        "b0-action-1-properties": f"promotion: {POOL}\ncoupon code: {{{{ code }}}}",
        "b0-action-2-type": "add_tag",
        "b0-action-2-tag": "coupon_1year_anniversary",
        "b0-action-3-type": "send_email",
        "b0-action-3-template": "anniversary_gift",
        "b0-action-0-fail-0-type": "alert",
        "b0-action-0-fail-0-message": "{customer} got no code: pool " + POOL + " is empty",
        "b0-action-0-fail-0-assignee_attribute": "account_manager",
        "b0-action-0-fail-1-type": "internal_email",
        "b0-action-0-fail-1-to_attribute": "account_manager",
        "b0-action-0-fail-1-subject": "No anniversary code for {{ customer.name }}",
        "b0-action-0-fail-1-body": "Pool " + POOL + " is empty: {{ customer.id }} got nothing.",
        "b1-name": "3+ orders",
        "b1-cond-0-field": "aggregate.orders_365d",
        "b1-cond-0-op": ">=",
        "b1-cond-0-value": "3",
        "b1-action-0-type": "send_email",
        "b1-action-0-template": "anniversary_thanks",
        "b2-name": "",  # the empty branch the builder shows last
        "active_from": "2025-01-01",
        "send_at_local_hour": "",
        "active": "on",
    }
    return {**typed, **changes}


def post(client: TestClient, url: str, page: str, data: dict[str, str]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client, page)})


def create(admin: TestClient, store: str, **changes: str) -> Any:
    url = f"{BASE.format(store=store)}/new"
    return post(admin, url, url, anniversary_form(**changes))


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', page)
    if found is None:  # the action editor's errors name no id
        slot = re.search(rf'name="{re.escape(name)}".*?<p class="error">([^<]*)</p>', page, re.S)
        return html.unescape(slot.group(1)) if slot else ""
    return html.unescape(found.group(1))


def test_build_the_anniversary_in_the_form(admin: TestClient, mp: Milepost, shop: str) -> None:
    page = admin.get(f"{BASE.format(store=shop)}/new")
    assert page.status_code == 200
    assert 'name="b1-action-0-type"' in page.text and 'name="b0-action-0-fail-0-type"' in page.text
    assert '<option value="aggregate.orders_365d">Aggregate: Orders in a year</option>' in page.text

    r = create(admin, shop)

    assert r.status_code == 303, error_texts(r.text)
    assert r.headers["location"] == BASE.format(store=shop)
    saved = mp.automations.get(shop, ANNIVERSARY).automation.as_dict()
    assert saved == mp.automations.create(shop, anniversary(key="same")).automation.as_dict() | {"key": ANNIVERSARY}
    listing = admin.get(BASE.format(store=shop)).text
    assert "First purchase anniversary" in listing and "365 days after the first paid purchase" in listing
    assert "never" in listing


def test_amounts_are_typed_as_money_and_hours_chosen(admin: TestClient, mp: Milepost, shop: str) -> None:
    r = create(
        admin,
        shop,
        **{"audience-2-field": "amount_spent", "audience-2-op": ">=", "audience-2-value": "1,250.50"},
        **{"b1-action-1-type": "credit", "b1-action-1-amount": "10.00", "send_at_local_hour": "9"},
    )

    assert r.status_code == 303, error_texts(r.text)
    a = mp.automations.get(shop, ANNIVERSARY).automation.as_dict()
    assert a["audience"]["all"][2] == {"field": "amount_spent", "op": ">=", "value": 125050}
    assert a["branches"][1]["actions"][1] == {"type": "credit", "amount": 1000, "currency": "USD"}
    assert a["send_at_local_hour"] == 9
    edit = admin.get(f"{BASE.format(store=shop)}/{ANNIVERSARY}/edit").text
    assert 'value="1250.50"' in edit and 'value="10.00"' in edit


def error_texts(page: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<p class="error"[^>]*>([^<]*)</p>', page)]


def test_a_refused_save_shows_each_problem_next_to_its_field(admin: TestClient, mp: Milepost, shop: str) -> None:
    r = create(
        admin,
        shop,
        **{"key": "Bad Key", "trigger_days": "0", "b0-action-0-pool": "no_such_pool"},
        **{"b1-cond-0-field": "aggregate.nope", "b0-cond-0-value": "1 or 2", "b0-action-3-template": ""},
    )

    assert r.status_code == 400
    page = r.text
    assert "lowercase" in error_of(page, "key")
    assert "from 1" in error_of(page, "trigger_days")
    assert "two values" in error_of(page, "b0-cond-0-value")
    assert mp.automations.list(shop) == []
    # what was typed is kept, the refused parts included
    assert 'value="Bad Key"' in page and 'value="1 or 2"' in page
    assert "coupon code: {{ code }}" in html.unescape(page)

    r = create(admin, shop, **{"b0-action-0-pool": "no_such_pool", "b1-cond-0-field": "aggregate.nope"})

    assert r.status_code == 400
    assert "no coupon pool" in error_of(r.text, "b0-action-0-pool")
    assert "no aggregate" in error_of(r.text, "b1-cond-0-field")
    assert "<option selected>no_such_pool</option>" in r.text

    r = create(admin, shop, **{"b0-action-0-fail-1-subject": "{{ customer.name", "b0-action-0-type": "add_tag"})

    assert r.status_code == 400
    assert "pool" in error_of(r.text, "b0-action-0-fail")
    assert mp.automations.list(shop) == []


def test_add_another_branch_keeps_what_was_typed(admin: TestClient, mp: Milepost, shop: str) -> None:
    url = f"{BASE.format(store=shop)}/new"
    r = post(admin, url, url, anniversary_form(more="branch"))

    assert r.status_code == 200
    assert 'name="b3-name"' in r.text and 'value="3+ orders"' in r.text
    assert mp.automations.list(shop) == []


def test_edit_shows_the_saved_automation_and_saves_it(admin: TestClient, mp: Milepost, shop: str) -> None:
    mp.automations.create(shop, anniversary())
    url = f"{BASE.format(store=shop)}/{ANNIVERSARY}/edit"
    page = admin.get(url).text
    assert 'value="1 and 2"' in page and f"<option selected>{POOL}</option>" in page
    assert 'name="b0-action-0-fail-1-subject" value="No anniversary code for {{ customer.name }}"' in html.unescape(
        page
    )

    r = post(admin, url, url, anniversary_form(name="Anniversary, renamed", key=""))

    assert r.status_code == 303, error_texts(r.text)
    saved = mp.automations.get(shop, ANNIVERSARY).automation.as_dict()
    assert saved == {**anniversary(), "name": "Anniversary, renamed", "send_at_local_hour": None} | {
        "branches": saved["branches"]
    }
    assert saved["branches"] == mp.automations.create(shop, anniversary(key="twin")).automation.as_dict()["branches"]


def test_a_nested_condition_shows_as_groups(admin: TestClient, mp: Milepost, shop: str) -> None:
    nested = {
        "not": {
            "any": [{"field": "tag", "op": "has", "value": "vip"}, {"field": "attribute.age", "op": "=", "value": "30"}]
        }
    }
    mp.automations.create(shop, anniversary(audience=nested))

    page = admin.get(f"{BASE.format(store=shop)}/{ANNIVERSARY}/edit")

    assert page.status_code == 200 and "cannot show" not in page.text
    assert 'name="audience-not" checked' in page.text
    assert '<option value="any" selected>' in page.text
    assert 'name="audience-1-value" value="&#34;30&#34;"' in page.text  # the text "30", not the number
    assert 'not ((tag has vip or attribute.age = "30"))' in html.unescape(
        admin.get(f"{BASE.format(store=shop)}/{ANNIVERSARY}").text
    )


def test_a_group_is_built_in_the_form_and_its_problems_shown_at_its_rows(
    admin: TestClient, mp: Milepost, shop: str
) -> None:
    page = admin.get(f"{BASE.format(store=shop)}/new").text
    assert 'name="audience-2-match"' in page and 'name="audience-2-0-field"' in page  # the empty group to fill
    group = {"audience-2-match": "any", "audience-2-not": "on", "audience-2-0-field": "tag", "audience-2-0-op": "has"}
    group |= {"audience-2-0-value": "churned", "audience-2-1-field": "attribute.plan", "audience-2-1-op": "in"}

    r = create(admin, shop, **group, **{"audience-2-1-value": 'free, "10", 10'})

    assert r.status_code == 303, error_texts(r.text)
    assert mp.automations.get(shop, ANNIVERSARY).automation.as_dict()["audience"]["all"][2] == {
        "not": {
            "any": [
                {"field": "tag", "op": "has", "value": "churned"},
                {"field": "attribute.plan", "op": "in", "value": ["free", "10", 10]},
            ]
        }
    }

    r = create(admin, shop, key="other", **(group | {"audience-2-1-op": "<", "audience-2-1-value": "x"}))

    assert r.status_code == 400
    assert error_of(r.text, "audience-2-1-op") == "must be one of =, !=, present, in for attribute.plan"
    assert 'name="audience-2-not" checked' in r.text


def customer(mp: Milepost, store: str, cid: str) -> None:
    event = {"id": f"c-{cid}", "type": "customer.created", "customer_id": cid, "name": f"Customer {cid}"}
    event |= {"email": f"{cid}@example.com", "email_consent": True, "occurred_at": "2024-01-01T00:00:00Z"}
    assert mp.ingest(store, [event]).accepted == 1
    order = {"id": f"o-{cid}", "type": "order.paid", "customer_id": cid, "order_id": f"o-{cid}"}
    order |= {"total": 1000, "currency": "USD", "occurred_at": "2025-03-01T10:00:00Z"}
    assert mp.ingest(store, [order]).accepted == 1, mp.ingest(store, [order]).rejected


def test_run_a_date_and_read_the_run_log(admin: TestClient, mp: Milepost, shop: str) -> None:
    mp.automations.create(shop, anniversary())
    for cid in ("ann", "bob"):  # one code for two: the second finds the pool empty
        customer(mp, shop, cid)
    base = BASE.format(store=shop)

    r = post(admin, f"{base}/run", base, {"date": "2026-03-01"})

    assert r.status_code == 303
    listing = admin.get(r.headers["location"]).text
    assert "Ran 2026-03-01" in listing and "2 automation firings" in listing
    assert "2 in the audience, 2 fired, 0 in no branch" in listing
    (run,) = mp.automations.runs(shop, ANNIVERSARY)
    page = admin.get(f"{base}/{ANNIVERSARY}").text
    assert f'href="{base}/{ANNIVERSARY}/runs/2026-03-01"' in page and "1-2 orders: 2" in page
    assert "365 days after the first paid purchase" in page and "aggregate.orders_365d between 1 and 2" in page
    day = html.unescape(admin.get(f"{base}/{ANNIVERSARY}/runs/2026-03-01").text)
    assert f'href="/admin/{shop}/customers/ann"' in day and f'href="/admin/{shop}/customers/bob"' in day
    assert f"skipped:</span>\n    pool {POOL} has no code left" in day
    assert "On failure: Admin alert" in day and "Record a custom event" in day
    assert run.day == date(2026, 3, 1)

    again = post(admin, f"{base}/run", base, {"date": "2026-03-01"})
    assert "was run already" in admin.get(again.headers["location"]).text
    assert admin.get(f"{base}/{ANNIVERSARY}/runs/2026-13-01").status_code == 404
    r = post(admin, f"{base}/run", base, {"date": "March"})
    assert r.status_code == 400 and "must be a date" in error_of(r.text, "date")
    r = post(admin, f"{base}/run", base, {"date": "2099-03-01"})
    assert r.status_code == 400 and "milepost run-daily" in error_of(r.text, "date")
    assert len(mp.automations.runs(shop, ANNIVERSARY)) == 1


def test_agents_see_automations_and_runs_but_change_nothing(
    admin: TestClient, agent: TestClient, mp: Milepost, shop: str
) -> None:
    mp.automations.create(shop, anniversary())
    base = BASE.format(store=shop)
    post(admin, f"{base}/run", base, {"date": "2026-03-01"})

    listing = agent.get(base)
    assert listing.status_code == 200 and "First purchase anniversary" in listing.text
    assert f'href="{base}/new"' not in listing.text and "/edit" not in listing.text
    assert "/toggle" not in listing.text and f'action="{base}/run"' not in listing.text
    assert f'href="{base}"' in agent.get(f"/admin/{shop}").text  # in the agent's nav
    page = agent.get(f"{base}/{ANNIVERSARY}")
    assert page.status_code == 200 and f'href="{base}/{ANNIVERSARY}/edit">Open in the builder</a>' in page.text
    assert agent.get(f"{base}/{ANNIVERSARY}/runs/2026-03-01").status_code == 200
    assert agent.get(f"{base}/new").status_code == 403
    builder = agent.get(f"{base}/{ANNIVERSARY}/edit")  # the builder, read-only
    assert builder.status_code == 200 and "Read-only" in builder.text
    form = builder.text.split('class="automation readonly"')[1].split("</form>")[0]
    assert '<fieldset class="readonly" disabled>' in form and 'type="submit"' not in form
    token = csrf(agent, base)  # the sign-out form's
    for url in (f"{base}/new", f"{base}/{ANNIVERSARY}/edit", f"{base}/{ANNIVERSARY}/toggle", f"{base}/run"):
        assert agent.post(url, data={**anniversary_form(), "csrf_token": token}).status_code == 403
    assert mp.automations.get(shop, ANNIVERSARY).automation.active
    assert len(mp.automations.runs(shop, ANNIVERSARY)) == 1

    r = post(admin, f"{base}/{ANNIVERSARY}/toggle", base, {})
    assert r.status_code == 303 and not mp.automations.get(shop, ANNIVERSARY).automation.active


def test_an_automation_another_store_has_is_not_found(admin: TestClient, mp: Milepost, shop: str) -> None:
    other = f"o{shop}"[:30]
    mp.stores.create(other, "Other", currency="USD", timezone="UTC")
    mp.automations.create(shop, anniversary())
    for url in (f"{ANNIVERSARY}", f"{ANNIVERSARY}/edit", f"{ANNIVERSARY}/runs/2026-03-01", "nope"):
        assert admin.get(f"{BASE.format(store=other)}/{url}").status_code == 404


def test_an_event_trigger_is_built_in_the_form_with_its_operators(admin: TestClient, mp: Milepost, shop: str) -> None:
    page = admin.get(f"{BASE.format(store=shop)}/new").text
    assert '<option value="event"' in page and 'name="where-0-property"' in page
    assert '<option value="gt" >&gt;</option>' in page.replace("selected", "")
    typed = {
        "key": "gift_wrap_thanks",
        "name": "Gift wrap thanks",
        "trigger_type": "event",
        "trigger_event": "gift wrapped",
        "where-0-property": "paper",
        "where-0-op": "eq",
        "where-0-value": "gold",
        "where-1-property": "value",
        "where-1-op": "gt",
        "where-1-value": "50",
        "where-2-property": "size",
        "where-2-op": "in",
        "where-2-value": 'S, M, "10"',
        "b0-name": "everyone",
        "b0-action-0-type": "add_tag",
        "b0-action-0-tag": "wrapped_in_gold",
        "active": "on",
    }
    url = f"{BASE.format(store=shop)}/new"
    r = post(admin, url, url, typed)

    assert r.status_code == 303, error_texts(r.text)
    trigger = mp.automations.get(shop, "gift_wrap_thanks").automation.as_dict()["trigger"]
    where = {"paper": "gold", "size": {"in": ["S", "M", "10"]}, "value": {"gt": 50}}
    assert trigger == {"type": "event", "event": "gift wrapped", "where": where}
    edit = admin.get(f"{BASE.format(store=shop)}/gift_wrap_thanks/edit").text
    assert 'name="where-2-value" value="50"' in edit and '<option value="gt" selected>' in edit
    assert 'name="where-1-value" value="S, M, &#34;10&#34;"' in edit

    bad = post(admin, url, url, {**typed, "key": "bad_where", "where-1-value": "fifty"})
    assert bad.status_code == 400
    assert error_of(bad.text, "where-1-value") == "must be a number, like 50 or 9.5"
    refused = post(admin, url, url, {**typed, "key": "bad_where", "where-2-value": "", "where-2-op": "exists"})
    assert refused.status_code == 400
    assert error_of(refused.text, "where-2-value") == "must be true or false"
    empty = post(admin, url, url, {**typed, "key": "bad_where", "where-2-value": ","})  # refused by the model
    assert empty.status_code == 400
    assert error_of(empty.text, "where-2-value") == "must be a non-empty list of strings, numbers or booleans"


def test_the_run_log_lists_who_was_in_no_branch_by_name_with_why(admin: TestClient, mp: Milepost, shop: str) -> None:
    loyal = {"name": "3+ orders", "when": {"field": "aggregate.orders_365d", "op": ">=", "value": 3}}
    definition = {
        "key": "loyal_only",
        "name": "Loyal only",
        "trigger": {"type": "first_purchase", "days": 365},
        "branches": [{**loyal, "actions": [{"type": "add_tag", "tag": "loyal"}]}],
    }
    mp.automations.create(shop, definition)
    customer(mp, shop, "ann")
    mp.sweeps.run_daily([shop], date(2026, 3, 1))
    base = BASE.format(store=shop)

    listing = html.unescape(admin.get(f"{base}/loyal_only").text)
    day = html.unescape(admin.get(f"{base}/loyal_only/runs/2026-03-01").text)

    assert "1 in no branch" in day and "It fired for nobody that day." in day
    row = day[day.index('<tr data-customer="ann" data-reason="no_branch">') :]
    row = re.sub(r"\s+", " ", row[: row.index("</tr>")])
    assert f'href="/admin/{shop}/customers/ann"' in row and "Customer ann · ann@example.com" in row
    assert "<strong>no branch matched</strong>" in row
    assert "<li>3+ orders: aggregate.orders_365d >= 3: is 1</li>" in row
    assert "Stopped after a wait" in listing
