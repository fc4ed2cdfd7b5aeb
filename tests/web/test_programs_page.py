"""Settings > Milestone Programs through the admin UI's forms, on both backends: the
table of every kind, adding a program on a metric (money typed in the store's currency,
the window in the store's time zone), a journey and an inactivity program, the model's
errors next to their fields, editing (what is fixed shown read-only), switching off and
on, deleting after a confirmation with the history kept, and who may do it."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from milepost.errors import ValidationError

PROGRAMS = "/admin/{store}/settings/programs"
TAG = [{"type": "add_tag", "tag": "x"}]


def cells(html: str) -> list[list[str]]:
    """The table's rows, as the text of their cells."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    text = [[re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]
    return [[" ".join(c.split()).replace("&#39;", "'") for c in row] for row in text]


def error_of(html: str, name: str) -> str:
    """The error shown next to the field `name`."""
    if name.startswith("action-"):  # the action editor's fields: the error follows the field
        found = re.search(rf'name="{re.escape(name)}"[^>]*>(?:[^<]*</textarea>)?\s*<p class="error">([^<]*)</p>', html)
    else:
        found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else ""


@pytest.fixture
def shop(mp: Milepost) -> str:
    """A store in New York: times are typed and shown in its time zone."""
    key = f"ny-{uuid.uuid4().hex[:12]}"
    mp.stores.create(key, "New York shop", currency="USD", timezone="America/New_York")
    return key


def spend_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "Big spender",
        "metric": "amount_spent",
        "threshold": "500.00",
        "every": "100.00",
        "starts_at": "2026-06-01T00:00",
        "ends_at": "2026-07-01T00:00",
        "clawback_days": "30",
        "conditions": "VIP, !churned",
        "active": "on",
        "action-0-type": "credit",
        "action-0-amount": "10.00",
        "action-1-type": "code",
        "action-1-discount_kind": "percentage",
        "action-1-discount_percent": "15",
        "action-1-pattern": "BIG-XXXX-XXXX",
        "action-2-type": "add_tag",
        "action-2-tag": "Big spender",
        **changes,
    }


def journey_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "Order, spend, review",
        "step-0-metric": "order_count",
        "step-1-metric": "amount_spent",
        "step-1-count": "100.00",
        "step-2-metric": "review_count",
        "active": "on",
        "action-0-type": "points",
        "action-0-points": "500",
        **changes,
    }


def inactivity_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "We miss you",
        "days": "90",
        "active": "on",
        "action-0-type": "alert",
        "action-0-message": "{customer} has been away",
        **changes,
    }


def test_only_administrators_configure_programs(
    admin: TestClient, agent: TestClient, web: TestClient, mp: Milepost, store: str
):
    d = mp.programs.create(store, name="Reviewer", metric="review_count", threshold=3, actions=TAG)
    url = PROGRAMS.format(store=store)
    for path in ("", "/new", "/new/journey", "/new/inactivity", f"/{d.rule.id}/edit", f"/{d.rule.id}/delete"):
        assert agent.get(url + path).status_code == 403, path
        assert web.get(url + path).status_code == 303, path  # to the sign-in page
    token = csrf(admin, url)
    for path in ("/new", f"/{d.rule.id}/edit", f"/{d.rule.id}/toggle", f"/{d.rule.id}/delete"):
        assert agent.post(url + path, data={"csrf_token": token, "name": "x"}).status_code == 403, path
    assert admin.post(f"{url}/{d.rule.id}/toggle", data={}).status_code == 403  # no CSRF token
    assert mp.programs.get(store, d.rule.id).rule.active is True


def test_the_table_lists_every_kind_in_operator_words(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    assert "Add Program" in (page := admin.get(url)).text
    assert cells(page.text) == [["No milestone program yet: add one to reward customers who reach a milestone."]]
    mp.order_count_events.create(shop, count=5, name="Fifth order", actions=TAG)  # on its own page
    mp.programs.create(
        shop,
        name="Big spender",
        metric="amount_spent",
        threshold=50000,
        every=10000,
        actions=[{"type": "credit", "amount": 1000}],
        starts_at=datetime(2026, 6, 1, 4, tzinfo=UTC),
        clawback_days=14,
        conditions=[{"tag": "VIP", "has": True}],
    )
    mp.programs.create(shop, name="Reviewer", metric="review_count", threshold=3, actions=TAG, active=False)
    mp.programs.create_journey(
        shop, name="Journey", steps=[{"metric": "order_count"}, {"metric": "review_count"}], actions=TAG
    )
    mp.programs.create_inactivity(shop, name="Lapsed", days=90, actions=[{"type": "alert"}])

    page = admin.get(url)

    headings = re.findall(r'<th scope="col">([^<]+)</th>', page.text)
    assert headings == ["Program", "Fires when", "Repeats", "Window", "Clawback", "Actions", "Active Status", "Manage"]
    assert "America/New_York" in page.text and "/settings/order-count-events" in page.text
    assert cells(page.text) == [
        [
            "Milestone Big spender has VIP",
            "Amount spent ≥ $500.00",
            "Again every $100.00",
            "From 2026-06-01 00:00 not started yet",
            "Taken back if refunded within 14 days",
            "credit $10.00",
            "Active",
            "Edit Delete",
        ],
        [
            "Milestone Reviewer",
            "Number of reviews ≥ 3",
            "Once per customer",
            "Always",
            "Kept",
            "+tag 'x'",
            "Inactive",
            "Edit Delete",
        ],
        [
            "Journey Journey",
            "Number of orders +1 → Number of reviews +1",
            "Once per customer",
            "Always",
            "Kept",
            "+tag 'x'",
            "Active",
            "Edit Delete",
        ],
        [
            "Inactivity Lapsed",
            "90 days without an order",
            "Once per lapse",
            "Always",
            "Kept",
            "alert",
            "Active",
            "Edit Delete",
        ],
    ]


def test_adding_a_program_on_amount_spent(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    new = admin.get(f"{url}/new")
    assert '<option value="amount_spent" data-money="1"' in new.text and ">Amount spent</option>" in new.text
    assert "This email would reach 0 of 0 customers today" in new.text  # next to the email action
    assert 'type="datetime-local"' in new.text and "America/New_York" in new.text

    r = admin.post(f"{url}/new", data=spend_form(csrf(admin, f"{url}/new")))

    assert r.status_code == 303 and r.headers["location"] == url
    (d,) = mp.programs.list(shop)
    r_ = d.rule
    assert (r_.kind, r_.name, r_.metric, r_.threshold, r_.every, r_.clawback_days) == (
        "program",
        "Big spender",
        "amount_spent",
        50000,
        10000,
        30,
    )
    # midnight in New York (EDT, UTC-4)
    assert (r_.starts_at, r_.ends_at) == (datetime(2026, 6, 1, 4, tzinfo=UTC), datetime(2026, 7, 1, 4, tzinfo=UTC))
    assert [(c.tag, c.present) for c in r_.conditions] == [("VIP", True), ("churned", False)]
    assert [a.as_dict() for a in r_.actions] == [
        {"type": "credit", "amount": 1000, "currency": "USD"},
        {"type": "code", "discount": {"kind": "percentage", "percent": 15}, "pattern": "BIG-XXXX-XXXX"},
        {"type": "add_tag", "tag": "Big spender"},
    ]
    row = cells(admin.get(url).text)[0]
    assert row[1:5] == [
        "Amount spent ≥ $500.00",
        "Again every $100.00",
        "2026-06-01 00:00 to 2026-07-01 00:00 not started yet",
        "Taken back if refunded within 30 days",
    ]


def test_counts_are_whole_numbers_and_nothing_optional_is_required(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    token = csrf(admin, f"{url}/new")
    bare = {
        "metric": "order_count",
        "threshold": "10",
        "every": "",
        "starts_at": "",
        "ends_at": "",
        "clawback_days": "",
    }
    r = admin.post(f"{url}/new", data=spend_form(token, **bare, conditions="", active=""))
    assert r.status_code == 303
    (d,) = mp.programs.list(shop)
    assert (d.rule.threshold, d.rule.every, d.rule.starts_at, d.rule.ends_at, d.rule.clawback_days) == (
        10,
        None,
        None,
        None,
        None,
    )
    assert (d.rule.active, d.rule.conditions) == (False, ())


def test_errors_show_next_to_their_fields_and_the_form_keeps_what_was_typed(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    token = csrf(admin, f"{url}/new")

    r = admin.post(
        f"{url}/new",
        data=spend_form(
            token, name="", threshold="5 hundred", every="1.005", starts_at="tomorrow", **{"action-0-amount": "x"}
        ),
    )
    assert r.status_code == 400 and "Please correct what is marked below." in r.text
    assert error_of(r.text, "name") == "is required"
    assert error_of(r.text, "threshold").startswith("must be an amount like 10.00")
    assert error_of(r.text, "every") == "must be an amount with at most 2 decimals in USD"
    assert error_of(r.text, "starts_at").startswith("must be a date and time")
    assert 'value="5 hundred"' in r.text and 'value="tomorrow"' in r.text and 'value="VIP, !churned"' in r.text

    # the model's own checks come back beside their fields
    model_errors = {
        "ends_at": ({"ends_at": "2026-05-01T00:00"}, "not after starts_at"),
        "clawback_days": ({"clawback_days": "5000"}, "must be a whole number of days from 0 (keep) to 3650"),
        "threshold": ({"metric": "review_count", "threshold": "2000000000", "every": ""}, "must be at most"),
        "metric": ({"metric": "sunshine"}, "choose what the program counts"),
    }
    for name, (change, reason) in model_errors.items():
        r = admin.post(f"{url}/new", data=spend_form(token, **change))
        assert r.status_code == 400 and error_of(r.text, name).startswith(reason), (name, error_of(r.text, name))
    r = admin.post(f"{url}/new", data=spend_form(token, name="x" * 201, threshold="0", every="-1"))
    assert error_of(r.text, "name") == "must be at most 200 characters"
    assert error_of(r.text, "threshold") == error_of(r.text, "every") == "must be more than zero"
    r = admin.post(f"{url}/new", data=spend_form(token, metric="points_earned", threshold="10000000000000000"))
    assert error_of(r.text, "threshold") == "is too large"
    r = admin.post(
        f"{url}/new", data={"csrf_token": token, "name": "No action", "metric": "order_count", "threshold": "3"}
    )
    assert r.status_code == 400 and "add at least one action" in r.text
    assert mp.programs.list(shop) == []


def test_editing_shows_what_is_fixed_and_keeps_it(admin: TestClient, mp: Milepost, shop: str):
    d = mp.programs.create(
        shop,
        name="Big spender",
        metric="amount_spent",
        threshold=50000,
        every=10000,
        actions=[{"type": "credit", "amount": 1000}],
        starts_at=datetime(2026, 6, 1, 4, 0, 30, tzinfo=UTC),  # to the second, through the API
        ends_at=datetime(2026, 7, 1, 4, tzinfo=UTC),
    )
    edit = f"{PROGRAMS.format(store=shop)}/{d.rule.id}/edit"
    page = admin.get(edit)
    assert page.status_code == 200
    assert 'name="threshold" value="500.00"' in page.text and 'value="10.00"' in page.text
    assert 'name="starts_at" type="datetime-local" value="2026-06-01T00:00"' in page.text
    assert re.search(r'id="f-every" value="Again every \$100.00" readonly', page.text)
    assert re.search(r'id="f-metric" value="Amount spent" readonly', page.text)
    assert "Set when the program was created" in page.text

    form = {
        "csrf_token": csrf(admin, edit),
        "name": "Bigger spender",
        "threshold": "600.00",
        "every": "1.00",  # not a field of the edit form: ignored
        "metric": "order_count",  # nor this
        "starts_at": "2026-06-01T00:00",  # as shown: kept to the second
        "ends_at": "",  # removed
        "clawback_days": "7",
        "active": "on",
        "action-0-type": "credit",
        "action-0-amount": "12.50",
    }
    r = admin.post(edit, data=form)

    assert r.status_code == 303
    rule = mp.programs.get(shop, d.rule.id).rule
    assert (rule.name, rule.metric, rule.threshold, rule.every, rule.version) == (
        "Bigger spender",
        "amount_spent",
        60000,
        10000,
        2,
    )
    assert (rule.starts_at, rule.ends_at, rule.clawback_days) == (datetime(2026, 6, 1, 4, 0, 30, tzinfo=UTC), None, 7)
    assert rule.actions[0].param("amount") == 1250

    # an edit the model refuses shows the form again, as typed
    r = admin.post(edit, data={**form, "threshold": "0"})
    assert r.status_code == 400 and error_of(r.text, "threshold") and 'value="0"' in r.text
    assert mp.programs.get(shop, d.rule.id).rule.version == 2


def test_a_journey_of_ordered_steps(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    new = admin.get(f"{url}/new/journey")
    assert new.status_code == 200 and 'name="step-9-metric"' in new.text and "Steps, in order" in new.text

    token = csrf(admin, f"{url}/new/journey")
    r = admin.post(
        f"{url}/new/journey", data=journey_form(token, **{"step-1-metric": "", "step-1-count": "", "step-2-metric": ""})
    )
    assert r.status_code == 400 and error_of(r.text, "steps").startswith("add 2 to 10 steps")
    r = admin.post(f"{url}/new/journey", data=journey_form(token, **{"step-2-count": "0"}))
    assert r.status_code == 400 and error_of(r.text, "step-2-count") == "must be more than zero"
    # the model's checks name the step by its place among the filled rows: shown on its row
    gaps = {"step-1-metric": "", "step-1-count": "", "step-4-metric": "order_count", "step-4-count": "9999999999999"}
    r = admin.post(f"{url}/new/journey", data=journey_form(token, **gaps))
    assert r.status_code == 400 and error_of(r.text, "step-4-count") == "must be a positive whole number"
    r = admin.post(f"{url}/new/journey", data=journey_form(token, **{"step-1-count": ""}))
    assert r.status_code == 400 and error_of(r.text, "step-1-count") == "is required"
    r = admin.post(f"{url}/new/journey", data=journey_form(token, **{"step-4-count": "3"}))
    assert r.status_code == 400 and error_of(r.text, "step-4-metric") == "choose what this step counts"

    r = admin.post(f"{url}/new/journey", data=journey_form(token))
    assert r.status_code == 303
    (d,) = mp.programs.list(shop)
    assert d.rule.kind == "journey"
    assert [s.as_dict() for s in d.rule.steps] == [
        {"metric": "order_count", "count": 1},
        {"metric": "amount_spent", "count": 10000},
        {"metric": "review_count", "count": 1},
    ]
    assert cells(admin.get(url).text)[0][1] == "Number of orders +1 → Amount spent +$100.00 → Number of reviews +1"

    edit = f"{url}/{d.rule.id}/edit"
    page = admin.get(edit)
    assert "<li>Amount spent +$100.00</li>" in page.text and 'name="step-0-metric"' not in page.text
    assert "steps are fixed once created" in page.text
    form = {
        "csrf_token": csrf(admin, edit),
        "name": "Renamed",
        "step-0-metric": "points_earned",
        "action-0-type": "points",
        "action-0-points": "700",
    }
    assert admin.post(edit, data=form).status_code == 303
    rule = mp.programs.get(shop, d.rule.id).rule
    assert (rule.name, rule.active, len(rule.steps), rule.actions[0].param("points")) == ("Renamed", False, 3, 700)


def test_an_inactivity_program(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    token = csrf(admin, f"{url}/new/inactivity")
    for days in ("0", "3651", "ninety", ""):
        r = admin.post(f"{url}/new/inactivity", data=inactivity_form(token, days=days))
        assert r.status_code == 400 and error_of(r.text, "days"), days
    r = admin.post(f"{url}/new/inactivity", data=inactivity_form(token, **{"action-0-message": "{nope}"}))
    assert r.status_code == 400 and "nope" in error_of(r.text, "action-0-message")

    assert admin.post(f"{url}/new/inactivity", data=inactivity_form(token)).status_code == 303
    (d,) = mp.programs.list(shop)
    assert (d.rule.kind, d.rule.threshold, d.rule.name) == ("inactivity", 90, "We miss you")

    edit = f"{url}/{d.rule.id}/edit"
    assert 'name="days" type="number" value="90"' in admin.get(edit).text
    assert admin.post(edit, data=inactivity_form(csrf(admin, edit), days="60")).status_code == 303
    assert mp.programs.get(shop, d.rule.id).rule.threshold == 60
    r = admin.post(edit, data=inactivity_form(csrf(admin, edit), days="99999"))
    assert r.status_code == 400 and mp.programs.get(shop, d.rule.id).rule.threshold == 60


def test_switching_off_and_on_and_deleting_keeps_the_history(admin: TestClient, mp: Milepost, store: str):
    d = mp.programs.create_journey(
        store, name="Two steps", steps=[{"metric": "order_count"}, {"metric": "review_count"}], actions=TAG
    )
    url = PROGRAMS.format(store=store)
    toggle = f"{url}/{d.rule.id}/toggle"
    assert admin.post(toggle, data={"csrf_token": csrf(admin, url)}).status_code == 303
    assert mp.programs.get(store, d.rule.id).rule.active is False and cells(admin.get(url).text)[0][6] == "Inactive"
    assert admin.post(toggle, data={"csrf_token": csrf(admin, url)}).status_code == 303
    assert mp.programs.get(store, d.rule.id).rule.active is True

    confirm = admin.get(f"{url}/{d.rule.id}/delete")
    assert confirm.status_code == 200 and "past milestones stay in the milestone log" in confirm.text
    r = admin.post(f"{url}/{d.rule.id}/delete", data={"csrf_token": csrf(admin, url)})
    assert r.status_code == 303 and r.headers["location"] == url
    assert mp.programs.list(store) == []
    assert [x.rule.id for x in mp.programs.list(store, include_deleted=True)] == [d.rule.id]
    assert admin.get(f"{url}/{d.rule.id}/edit").status_code == 404  # deleted: gone from the page


def test_other_stores_programs_and_odd_ids_are_not_found(admin: TestClient, mp: Milepost, store: str):
    other = f"o-{store}"[:60]
    mp.stores.create(other, "Other")
    theirs = mp.programs.create(other, name="Theirs", metric="order_count", threshold=2, actions=TAG)
    event = mp.order_count_events.create(store, count=2, name="An order count event", actions=TAG)
    url = PROGRAMS.format(store=store)
    token = csrf(admin, url)
    for program_id in (theirs.rule.id, event.rule.id, 0, -1, 10**30, "abc"):
        for path in ("edit", "delete"):
            assert admin.get(f"{url}/{program_id}/{path}").status_code == 404, (program_id, path)
        for path in ("edit", "toggle", "delete"):
            assert admin.post(f"{url}/{program_id}/{path}", data={"csrf_token": token}).status_code == 404
    assert admin.get(f"{url}/new/teleport").status_code == 404
    assert admin.get("/admin/no-such-store/settings/programs").status_code == 404
    assert mp.programs.get(other, theirs.rule.id).rule.active is True
    assert mp.order_count_events.get(store, event.rule.id).deleted_at is None


ODD = [
    {"threshold": "-3"},
    {"threshold": "99999999999999999999"},
    {"threshold": "1e999999"},
    {"threshold": "NaN"},
    {"every": "Infinity"},
    {"every": "-1"},
    {"metric": "order_count", "threshold": "1e3"},
    {"metric": "points_earned", "threshold": "10000000000000000"},
    {"name": "x" * 5000},
    {"name": "\x00"},
    {"starts_at": "0001-01-01T00:00"},
    {"ends_at": "9999-12-31T23:59"},
    {"starts_at": "2026-02-30T10:00"},
    {"starts_at": "2026-03-08T02:30"},  # a time the clocks skip in New York
    {"clawback_days": "-1"},
    {"clawback_days": "99999999999999999999"},
    {"conditions": "!,!!, ,"},
    {"action-0-type": "teleport"},
    {"action-0-amount": "1e999999"},
    {"action-1-discount_percent": "250"},
    {"action-2-type": "webhook", "action-2-url": "ftp://x"},
]


def test_nothing_a_browser_can_post_answers_500(admin: TestClient, mp: Milepost, shop: str):
    url = PROGRAMS.format(store=shop)
    token = csrf(admin, f"{url}/new")
    for change in ODD:
        r = admin.post(f"{url}/new", data=spend_form(token, **change))
        assert r.status_code in (303, 400), (change, r.status_code, r.text[:300])
    odd_steps = [{"step-0-metric": "x"}, {"step-1-count": "1e999999"}, {"step-0-count": "99999999999999"}]
    for change in odd_steps:
        r = admin.post(f"{url}/new/journey", data=journey_form(token, **change))
        assert r.status_code in (303, 400), (change, r.status_code, r.text[:300])
    assert admin.get(url).status_code == 200  # what was saved shows
    for d in mp.programs.list(shop):
        assert admin.get(f"{url}/{d.rule.id}/edit").status_code == 200
    edit = f"{url}/{mp.programs.list(shop)[0].rule.id}/edit"  # and edits the same way
    for change in ODD:
        r = admin.post(edit, data=spend_form(token, **change))
        assert r.status_code in (303, 400), (change, r.status_code, r.text[:300])


def test_a_switch_the_model_refuses_is_explained_above_the_table(
    admin: TestClient, mp: Milepost, store: str, monkeypatch: pytest.MonkeyPatch
):
    d = mp.programs.create(store, name="Reviewer", metric="review_count", threshold=3, actions=TAG)
    url = PROGRAMS.format(store=store)
    token = csrf(admin, url)

    def refuse(*_: object, **__: object) -> None:
        raise ValidationError("actions[0].url: not allowed", {"actions[0].url": "not allowed"})

    monkeypatch.setattr(mp.programs, "update", refuse)
    r = admin.post(f"{url}/{d.rule.id}/toggle", data={"csrf_token": token})
    assert r.status_code == 400 and "“Reviewer” was not switched off: actions[0].url: not allowed" in r.text
    assert cells(r.text)[0][6] == "Active"
