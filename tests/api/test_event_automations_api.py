"""An event sent to POST /api/v1/events starts the automations whose event trigger it matches."""

from __future__ import annotations

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
