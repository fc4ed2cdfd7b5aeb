"""An event sent to POST /api/v1/events starts the automations whose event trigger it matches."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from milepost import Milepost


def test_an_event_posted_starts_a_matching_automation_once(client: TestClient, keys, mp: Milepost) -> None:
    mp.automations.create(
        keys.store,
        {
            "key": "gift_list",
            "name": "Gift list",
            "trigger": {"type": "event", "event": "wishlist", "where": {"list": "gifts"}},
            "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": "gift_buyer"}]}],
        },
    )
    event = {"id": "w1", "type": "custom", "name": "wishlist", "customer_id": "c1", "properties": {"list": "gifts"}}
    other = {**event, "id": "w2", "customer_id": "c2", "properties": {"list": "later"}}
    for _ in range(2):  # the second time, both are duplicates
        r = client.post("/api/v1/events", json={"events": [event, other]}, headers=keys.auth("ingest"))
        assert r.status_code == 200, r.text
    assert "gift_buyer" in mp.customers.get(keys.store, "c1").tags
    assert "gift_buyer" not in mp.customers.get(keys.store, "c2").tags
    rule_id = mp.automations.get(keys.store, "gift_list").id
    assert [m.rule_id for m in mp.customers.get(keys.store, "c1").milestones].count(rule_id) == 1


def test_an_event_whose_value_is_over_50_starts_an_automation_where_value_gt_50(
    client: TestClient, keys, mp: Milepost
) -> None:
    # Given an automation saved through the API that starts on a "purchase intent" whose value > 50
    definition = {
        "key": "big_intent",
        "name": "Big intent",
        "trigger": {"type": "event", "event": "purchase intent", "where": {"value": {"gt": 50}}},
        "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": "big_intent"}]}],
    }
    r = client.post("/api/v1/automations", json=definition, headers=keys.auth())
    assert r.status_code == 201, r.text
    assert r.json()["trigger"]["where"] == {"value": {"gt": 50}}

    # When one customer's event has value 60 and another's 40
    events = [
        {"id": f"i{cid}", "type": "custom", "name": "purchase intent", "customer_id": cid, "properties": {"value": v}}
        for cid, v in (("c60", 60), ("c40", 40))
    ]
    r = client.post("/api/v1/events", json={"events": events}, headers=keys.auth("ingest"))
    assert r.status_code == 200, r.text

    # Then only the first started it
    tags = {cid: client.get(f"/api/v1/customers/{cid}", headers=keys.auth()).json()["tags"] for cid in ("c60", "c40")}
    assert tags == {"c60": ["big_intent"], "c40": []}


@pytest.mark.parametrize(
    ("where", "field", "reason"),
    [
        ({"value": {"above": 50}}, "trigger.where.value.above", "is not an operator"),
        ({"value": {"gt": "fifty"}}, "trigger.where.value.gt", "gt compares numbers: must be a number"),
        ({"plan": {"in": []}}, "trigger.where.plan.in", "must be a non-empty list"),
    ],
)
def test_an_event_trigger_with_a_bad_operator_is_refused_with_its_path(
    client: TestClient, keys, where: dict[str, Any], field: str, reason: str
) -> None:
    definition = {
        "key": "bad_where",
        "name": "Bad where",
        "trigger": {"type": "event", "event": "purchase intent", "where": where},
        "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": "t"}]}],
    }
    r = client.post("/api/v1/automations", json=definition, headers=keys.auth())
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["reason"] for e in r.json()["errors"]}
    assert list(errors) == [field] and errors[field].startswith(reason)
    assert client.get("/api/v1/automations/bad_where", headers=keys.auth()).status_code == 404
