"""Webhook endpoints through the HTTP API: register (the secret once), list, show, change,
rotate the secret, delete; what is refused (bad URLs, private addresses, unknown events,
a URL taken, an endpoint an order count event sends to)."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders, walk
from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.config import Settings
from milepost.testing import FrozenClock
from support.addresses import NOT_PUBLIC, PUBLIC

ENDPOINTS = "/api/v1/webhook-endpoints"
URL = "https://1.1.1.1/milepost"  # a public address: no DNS needed, never called here
FIELDS = {"id", "url", "description", "event_types", "enabled", "disabled_reason", "created_at", "updated_at"}


def register(client: TestClient, keys: Any, **body: Any) -> dict[str, Any]:
    r = client.post(ENDPOINTS, json={"url": URL, **body}, headers=keys.auth())
    assert r.status_code == 201, r.text
    return r.json()


def test_an_endpoint_is_registered_with_its_secret_once(client: TestClient, keys: Any) -> None:
    body = {"url": URL, "event_types": ["milestone.reached", "alert.created"], "description": "CRM"}

    r = client.post(ENDPOINTS, json=body, headers=keys.auth())

    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"].startswith("whe_") and r.headers["location"] == f"{ENDPOINTS}/{created['id']}"
    assert created["secret"].startswith("whsec_")
    assert {k: created[k] for k in ("url", "event_types", "description", "enabled", "disabled_reason")} == {
        **body,
        "enabled": True,
        "disabled_reason": None,
    }
    shown = client.get(r.headers["location"], headers=keys.auth()).json()
    assert set(shown) == FIELDS and shown == {k: v for k, v in created.items() if k != "secret"}
    assert created["secret"] not in client.get(ENDPOINTS, headers=keys.auth()).text
    secret = client.get(f"{ENDPOINTS}/{created['id']}/secret", headers=keys.auth()).json()
    assert secret == {"secret": created["secret"]}


def test_the_defaults_are_no_events_and_no_description(client: TestClient, keys: Any) -> None:
    created = register(client, keys)

    assert created["event_types"] == [] and created["description"] == ""


def test_endpoints_are_listed_oldest_first_page_by_page(client: TestClient, keys: Any) -> None:
    ids = [register(client, keys, url=f"{URL}/{i}")["id"] for i in range(5)]

    listed = walk(client, ENDPOINTS, keys.auth(), limit=2)

    assert [e["id"] for e in listed] == ids and all(set(e) == FIELDS for e in listed)
    milestones_cursor = "WyJtc3QiLDQxXQ"  # ["mst", 41]: a cursor of another list
    r = client.get(ENDPOINTS, params={"cursor": milestones_cursor}, headers=keys.auth())
    assert_problem(r, 422, "query.cursor")


def test_an_endpoint_changes_only_what_is_given(client: TestClient, keys: Any, clock: FrozenClock) -> None:
    created = register(client, keys, event_types=["milestone.reached"], description="CRM")
    path = f"{ENDPOINTS}/{created['id']}"
    clock.advance(minutes=5)

    r = client.patch(path, json={"url": f"{URL}/v2", "event_types": ["customer.rewarded"]}, headers=keys.auth())

    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["url"] == f"{URL}/v2" and changed["event_types"] == ["customer.rewarded"]
    assert changed["description"] == "CRM" and changed["enabled"] is True
    assert changed["updated_at"] > created["updated_at"] and changed["created_at"] == created["created_at"]
    assert client.patch(path, json={"event_types": []}, headers=keys.auth()).json()["event_types"] == []
    repeated = client.patch(path, json={"event_types": ["alert.created", "alert.created"]}, headers=keys.auth())
    assert repeated.json()["event_types"] == ["alert.created"]
    assert client.patch(path, json={}, headers=keys.auth()).json() == client.get(path, headers=keys.auth()).json()


def test_disabling_says_why_and_enabling_clears_it(client: TestClient, keys: Any) -> None:
    path = f"{ENDPOINTS}/{register(client, keys)['id']}"

    disabled = client.patch(path, json={"enabled": False}, headers=keys.auth()).json()
    enabled = client.patch(path, json={"enabled": True}, headers=keys.auth()).json()

    assert disabled["enabled"] is False and disabled["disabled_reason"] == "disabled by an operator"
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None


def test_a_rotated_secret_signs_with_the_old_one_for_a_day(
    client: TestClient, keys: Any, mp: Milepost, clock: FrozenClock
) -> None:
    created = register(client, keys)
    path = f"{ENDPOINTS}/{created['id']}"

    r = client.post(f"{path}/rotate-secret", headers=keys.auth())

    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert set(rotated) == FIELDS | {"secret"} and rotated["id"] == created["id"]
    assert client.get(f"{path}/secret", headers=keys.auth()).json() == {"secret": rotated["secret"]}
    endpoint = mp.webhooks.get(keys.store, int(created["id"].removeprefix("whe_")))
    assert endpoint.signing_secrets(clock.advance(hours=23)) == [rotated["secret"], created["secret"]]
    assert endpoint.signing_secrets(clock.advance(hours=2)) == [rotated["secret"]]


def test_a_deleted_endpoint_is_gone_and_its_pending_deliveries_are_dead(client: TestClient, keys: Any) -> None:
    endpoint = register(client, keys, event_types=["milestone.reached"])
    create_event(client, keys, name="First", count=1)
    orders(client, keys, "ada", 1)
    (pending,) = client.get("/api/v1/deliveries", params={"channel": "webhook"}, headers=keys.auth()).json()["data"]
    assert pending["status"] == "pending" and pending["webhook_endpoint_id"] == endpoint["id"]
    assert pending["type"] == "milestone.reached"

    r = client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=keys.auth())

    assert r.status_code == 204 and r.content == b""
    assert_problem(client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=keys.auth()), 404)
    assert client.get(ENDPOINTS, headers=keys.auth()).json() == {"data": [], "next_cursor": None}
    parked = client.get(f"/api/v1/deliveries/{pending['id']}", headers=keys.auth()).json()
    assert parked["status"] == "dead" and "deleted" in parked["last_error"]


# -- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": "   "}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://1.1.1.1/hook"}, "url"),
        ({"url": "https://user:pw@1.1.1.1/hook"}, "url"),
        ({"url": "https://1.1.1.1/" + "x" * 2000}, "url"),
        ({"url": 5}, "url"),
        ({"url": URL, "event_types": ["order.shipped"]}, "event_types.0"),
        ({"url": URL, "event_types": "milestone.reached"}, "event_types"),
        ({"url": URL, "description": "x" * 201}, "description"),
        ({"url": URL, "enabled": False}, "enabled"),
        ({"url": URL, "secret": "whsec_mine"}, "secret"),
    ],
)
def test_invalid_endpoints_are_422_naming_the_field(
    client: TestClient, keys: Any, body: dict[str, Any], field: str
) -> None:
    assert_problem(client.post(ENDPOINTS, json=body, headers=keys.auth()), 422, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": None}, "url"),
        ({"url": "mailto:ops@example.com"}, "url"),
        ({"event_types": ["milestone.missed"]}, "event_types.0"),
        ({"enabled": "yes"}, "enabled"),
        ({"description": None}, "description"),
    ],
)
def test_invalid_changes_are_422_naming_the_field(
    client: TestClient, keys: Any, body: dict[str, Any], field: str
) -> None:
    path = f"{ENDPOINTS}/{register(client, keys)['id']}"

    assert_problem(client.patch(path, json=body, headers=keys.auth()), 422, field)


@pytest.mark.parametrize(("url", "reason"), NOT_PUBLIC)
def test_a_private_address_is_refused_unless_the_server_allows_it(
    client: TestClient, keys: Any, mp: Milepost, url: str, reason: str
) -> None:
    refused = assert_problem(client.post(ENDPOINTS, json={"url": url}, headers=keys.auth()), 422, "url")
    assert "MILEPOST_WEBHOOKS_ALLOW_PRIVATE" in refused["detail"] and reason in refused["detail"]
    path = f"{ENDPOINTS}/{register(client, keys)['id']}"
    assert_problem(client.patch(path, json={"url": url}, headers=keys.auth()), 422, "url")

    mp.settings = Settings(webhooks_allow_private=True)

    assert client.post(ENDPOINTS, json={"url": url}, headers=keys.auth()).status_code == 201
    assert client.patch(path, json={"url": f"{url}/2"}, headers=keys.auth()).status_code == 200


@pytest.mark.parametrize(("url", "reason"), NOT_PUBLIC)
def test_a_webhook_action_on_a_private_address_is_refused_unless_the_server_allows_it(
    client: TestClient, keys: Any, mp: Milepost, url: str, reason: str
) -> None:
    body = {"name": "Hook", "count": 1, "actions": [{"type": "webhook", "url": url}]}

    refused = assert_problem(client.post("/api/v1/order-count-events", json=body, headers=keys.auth()), 422)

    assert reason in refused["detail"] and "MILEPOST_WEBHOOKS_ALLOW_PRIVATE" in refused["detail"]
    mp.settings = Settings(webhooks_allow_private=True)
    assert create_event(client, keys, **body)["actions"][0]["url"] == url


@pytest.mark.parametrize("url", [*PUBLIC, "https://example.com/hooks", "https://hooks.example.invalid/milepost"])
def test_a_url_is_saved_without_looking_up_its_name(client: TestClient, keys: Any, url: str) -> None:
    """On a machine with no DNS (and for names that never resolve, `.invalid`) a URL is
    saved as written; the relay resolves it and checks the addresses before each delivery."""
    r = client.post(ENDPOINTS, json={"url": url}, headers=keys.auth())

    assert r.status_code == 201, r.text


def test_a_url_belongs_to_one_endpoint(client: TestClient, keys: Any) -> None:
    register(client, keys)
    other = register(client, keys, url=f"{URL}/other")

    taken = assert_problem(client.post(ENDPOINTS, json={"url": URL}, headers=keys.auth()), 409)
    moved = client.patch(f"{ENDPOINTS}/{other['id']}", json={"url": URL}, headers=keys.auth())

    assert URL in taken["detail"]
    assert_problem(moved, 409)
    same = client.patch(f"{ENDPOINTS}/{other['id']}", json={"url": f"{URL}/other"}, headers=keys.auth())
    assert same.status_code == 200


def test_an_endpoint_an_order_count_event_sends_to_stays_until_the_event_goes(client: TestClient, keys: Any) -> None:
    # Given an event whose webhook action registers its URL as an endpoint
    event = create_event(client, keys, name="Hook", count=2, actions=[{"type": "webhook", "url": URL}])
    (endpoint,) = client.get(ENDPOINTS, headers=keys.auth()).json()["data"]
    assert endpoint["url"] == URL and endpoint["event_types"] == []
    path = f"{ENDPOINTS}/{endpoint['id']}"

    # When it is deleted or moved while the event sends to it: 409, naming the event
    refused = assert_problem(client.delete(path, headers=keys.auth()), 409)
    assert "Hook" in refused["detail"]
    assert_problem(client.patch(path, json={"url": f"{URL}/moved"}, headers=keys.auth()), 409)
    assert client.patch(path, json={"event_types": ["alert.created"]}, headers=keys.auth()).status_code == 200
    assert client.get(f"{path}/secret", headers=keys.auth()).json()["secret"].startswith("whsec_")

    # Then, once the event is deleted, the endpoint may go
    assert client.delete(f"/api/v1/order-count-events/{event['id']}", headers=keys.auth()).status_code == 204
    assert client.delete(path, headers=keys.auth()).status_code == 204


@pytest.mark.parametrize("endpoint_id", ["whe_999999999", "oce_1", "whe_x", "whe_99999999999999999999"])
def test_an_unknown_endpoint_is_404_everywhere(client: TestClient, keys: Any, endpoint_id: str) -> None:
    path = f"{ENDPOINTS}/{endpoint_id}"
    calls = [
        ("GET", path, None),
        ("PATCH", path, {"description": "x"}),
        ("PATCH", path, {"url": f"{URL}/x"}),
        ("DELETE", path, None),
        ("POST", f"{path}/rotate-secret", None),
        ("GET", f"{path}/secret", None),
    ]
    for method, url, body in calls:
        assert_problem(client.request(method, url, json=body, headers=keys.auth()), 404)


def test_another_store_s_endpoint_is_404(client: TestClient, keys: Any, other_store: Any) -> None:
    endpoint = register(client, keys)

    assert_problem(client.get(f"{ENDPOINTS}/{endpoint['id']}/secret", headers=other_store.auth()), 404)
    assert client.post(ENDPOINTS, json={"url": URL}, headers=other_store.auth()).status_code == 201  # its own
