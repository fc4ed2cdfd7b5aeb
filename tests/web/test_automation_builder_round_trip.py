"""Opening an automation in the builder and saving it unchanged keeps it as it was, on both
backends, through a real server and HTTP client: the page is read as a browser without
JavaScript reads a form (every enabled control, the selected options, the checked boxes)
and posted back. For the example that ships and for one with event properties tested by
operators (two on one property), nested any / not groups, an attribute compared with a number
and with the text "30", and two pool codes, each with its own on-failure list."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from web_kit import PASSWORD, sign_in

from milepost import Milepost
from milepost.config import Settings
from milepost.domain.automation_examples import ANNIVERSARY
from milepost.entrypoints.http import create_app
from milepost.testing import serve

BASE = "/admin/{store}/settings/automations"
COMPLEX: dict[str, Any] = {
    "key": "vip_nudge",
    "name": "VIP nudge",
    "trigger": {
        "type": "event",
        "event": "gift wrapped",
        "where": {
            "paper": "gold",
            "sheets": 3,
            "ribbon": True,
            "value": {"gt": 50, "lt": 100},
            "size": {"in": ["S", "10", 10]},
            "note": {"exists": False},
        },
    },
    "audience": {
        "all": [
            {"field": "email", "op": "valid"},
            {
                "any": [
                    {"not": {"field": "tag", "op": "has", "value": "churned"}},
                    {"field": "attribute.age", "op": "=", "value": "30"},
                    {"field": "attribute.score", "op": "in", "value": [30, 4.5, "a, b", True]},
                ]
            },
        ]
    },
    "branches": [
        {
            "name": "big spenders",
            "when": {
                "not": {
                    "any": [
                        {"field": "amount_spent", "op": "<", "value": 50000},
                        {"all": [{"field": "order_count", "op": "between", "value": [1, 2]}]},
                    ]
                }
            },
            "actions": [
                {
                    "type": "pool_code",
                    "pool": "gold_codes",
                    "on_failure": [{"type": "alert", "message": "no gold code"}],
                },
                {"type": "add_tag", "tag": "gold"},
                {
                    "type": "pool_code",
                    "pool": "silver_codes",
                    "on_failure": [
                        {"type": "add_tag", "tag": "no_silver"},
                        {
                            "type": "internal_email",
                            "to_attribute": "account_manager",
                            "subject": "No code",
                            "body": "For {{ customer.id }}",
                        },
                    ],
                },
                {"type": "credit", "amount": 1250},
            ],
        },
        {"name": "the rest", "actions": [{"type": "wait", "days": 3}, {"type": "add_tag", "tag": "later"}]},
    ],
    "active_from": None,
    "send_at_local_hour": 9,
    "active": False,
}


class FormFields(HTMLParser):
    """What a browser posts of the page's builder form: the enabled controls' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = self.in_template = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.option: dict[str, Any] | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "automation" in a.get("class", ""):
            self.in_form = True
        if tag == "template":
            self.in_template = True
        if not self.in_form or self.in_template:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and "disabled" not in a:
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.option, self.text = a, ""
        elif tag == "textarea" and "disabled" not in a:
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template = False
        elif tag == "form":
            self.in_form = False
        elif tag == "option" and self.option is not None:
            self.options.append((self.option.get("value", self.text), "selected" in self.option))
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            self.fields.append((self.select, chosen[0] if chosen else ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text))
            self.textarea = None


def posted(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    fields = dict(parser.fields)
    assert len(fields) == len(parser.fields), "a field name twice"
    return fields


@pytest.fixture
def http(mp: Milepost) -> Iterator[httpx.Client]:
    """An Administrator's HTTP client to a real server."""
    email = f"ada-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "administrator")
    with serve(create_app(mp, Settings())) as url, httpx.Client(base_url=url) as client:
        assert sign_in(client, email).status_code == 303  # type: ignore[arg-type]
        yield client


def given_what_they_name(mp: Milepost, store: str) -> None:
    for key in ("anniversary_gift", "anniversary_thanks"):
        mp.templates.save(store, key, subject="Hello", body_text="Hello {{ customer.name }}")
    for pool in (ANNIVERSARY["branches"][0]["actions"][0]["pool"], "gold_codes", "silver_codes"):
        mp.pools.create(store, pool, name=pool, discount={"kind": "percentage", "percent": 10})
    mp.aggregates.create(store, "orders_365d", name="Orders in a year", source="orders", window_days=365)


@pytest.mark.parametrize("definition", [ANNIVERSARY, COMPLEX], ids=["anniversary", "nested"])
def test_saving_the_builder_unchanged_keeps_the_definition(
    http: httpx.Client, mp: Milepost, store: str, definition: dict[str, Any]
) -> None:
    given_what_they_name(mp, store)
    original = mp.automations.create(store, copy.deepcopy(definition)).automation.as_dict()
    url = f"{BASE.format(store=store)}/{definition['key']}/edit"

    page = http.get(url)
    r = http.post(url, data=posted(page.text))

    assert page.status_code == 200
    assert r.status_code == 303, r.text
    assert mp.automations.get(store, definition["key"]).automation.as_dict() == original


def test_the_nested_definition_is_what_the_api_took(mp: Milepost, store: str) -> None:
    given_what_they_name(mp, store)
    saved = mp.automations.create(store, copy.deepcopy(COMPLEX)).automation.as_dict()
    branch = saved["branches"][0]
    assert [a.get("on_failure") for a in branch["actions"]][::2] == [
        COMPLEX["branches"][0]["actions"][0]["on_failure"],
        COMPLEX["branches"][0]["actions"][2]["on_failure"],
    ]
    assert saved["audience"] == COMPLEX["audience"]
