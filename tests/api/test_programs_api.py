"""/api/v1/programs end to end through HTTP: create on every metric, list with the order
count events, edit (the window too, and remove its bounds with null), delete, problems, and a
review program that fires."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from admin_kit import assert_problem, create_event, walk
from fastapi.testclient import TestClient

from milepost.domain.aggregates import METRICS
from milepost.entrypoints.http.wire import encode_cursor

PROGRAMS = "/api/v1/programs"
ACTIONS = [{"type": "add_tag", "tag": "Reviewer"}, {"type": "alert", "message": "{customer} reached {count}"}]


def create_program(client: TestClient, keys: Any, **body: Any) -> dict[str, Any]:
    body = {"name": "Program", "metric": "review_count", "threshold": 3, "actions": ACTIONS, **body}
    r = client.post(PROGRAMS, json=body, headers=keys.auth())
    assert r.status_code == 201, r.text
    return r.json()


def review(customer: str, review_id: str) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "type": "review.created", "customer_id": customer, "review_id": review_id}


def send(client: TestClient, keys: Any, *events: dict[str, Any]) -> None:
    r = client.post("/api/v1/events", json={"events": list(events)}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def milestones(client: TestClient, keys: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/milestones", headers=keys.auth())
    assert r.status_code == 200, r.text
    return r.json()["data"]


@pytest.mark.parametrize("metric", list(METRICS))
def test_a_program_is_created_on_every_metric(client: TestClient, keys: Any, metric: str) -> None:
    created = client.post(
        PROGRAMS,
        json={"name": f"On {metric}", "metric": metric, "threshold": 5000, "actions": [{"type": "alert"}]},
        headers=keys.auth(),
    )

    assert created.status_code == 201, created.text
    program = created.json()
    assert created.headers["location"] == f"{PROGRAMS}/{program['id']}"
    assert program["id"].startswith("prg_") and program["kind"] == "program" and program["metric"] == metric
    assert (program["threshold"], program["active"], program["version"], program["excluded"]) == (5000, True, 1, 0)
    assert program["starts_at"] is None and program["ends_at"] is None
    assert program["created_at"].endswith("+00:00") and program["conditions"] == []
    got = client.get(f"{PROGRAMS}/{program['id']}", headers=keys.auth())
    assert got.status_code == 200 and got.json() == {k: v for k, v in program.items() if k != "excluded"}


def test_an_amount_threshold_may_exceed_what_counts_allow(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys, metric="amount_spent", threshold=10**15)

    r = client.patch(f"{PROGRAMS}/{program['id']}", json={"threshold": 9_172_180_914}, headers=keys.auth())

    assert r.status_code == 200 and r.json()["threshold"] == 9_172_180_914


def test_a_window_is_kept_in_utc(client: TestClient, keys: Any) -> None:
    program = create_program(
        client, keys, starts_at="2026-06-01T02:00:00+02:00", ends_at="2026-07-01T00:00:00Z", active=False
    )

    assert (program["starts_at"], program["ends_at"]) == ("2026-06-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00")
    assert program["active"] is False


def test_a_review_program_fires_once_per_distinct_review(client: TestClient, keys: Any) -> None:
    # Given a program on the number of reviews at 3
    program = create_program(client, keys, name="Three reviews", threshold=3)
    # When ada writes three distinct reviews
    send(client, keys, review("ada", "r1"), review("ada", "r2"))
    assert milestones(client, keys) == []
    send(client, keys, review("ada", "r3"))
    # Then the program fires for her once, at 3
    [reached] = milestones(client, keys)
    assert (reached["customer_id"], reached["value"], reached["name"]) == ("ada", 3, "Three reviews")
    assert [a["status"] for a in reached["actions"]] == ["done", "done"]
    ada = client.get("/api/v1/customers/ada", headers=keys.auth()).json()
    assert ada["tags"] == ["Reviewer"]
    # And a 4th event about a review already counted changes nothing
    send(client, keys, review("ada", "r2"))
    assert [m["id"] for m in milestones(client, keys)] == [reached["id"]]
    [alert] = client.get("/api/v1/alerts", headers=keys.auth()).json()["data"]
    assert alert["message"] == "ada reached 3"
    assert client.get(f"{PROGRAMS}/{program['id']}", headers=keys.auth()).json()["version"] == 1


def test_a_program_outside_its_window_does_not_fire(client: TestClient, keys: Any) -> None:
    # The test clock stands at 2026-03-01 12:00 UTC.
    create_program(client, keys, threshold=1, starts_at="2026-04-01T00:00:00Z")
    create_program(client, keys, threshold=1, ends_at="2026-03-01T12:00:00Z")

    send(client, keys, review("bob", "r1"))

    assert milestones(client, keys) == []


def test_order_count_events_are_listed_as_programs_of_kind_order_count(client: TestClient, keys: Any) -> None:
    event = create_event(client, keys, name="Five orders", count=5)
    program = create_program(client, keys, threshold=2)

    listed = client.get(PROGRAMS, headers=keys.auth()).json()

    number = event["id"].removeprefix("oce_")
    assert [(p["id"], p["kind"], p["metric"]) for p in listed["data"]] == [
        (program["id"], "program", "review_count"),
        (f"prg_{number}", "order_count", "order_count"),
    ]
    as_program = client.get(f"{PROGRAMS}/prg_{number}", headers=keys.auth()).json()
    assert (as_program["name"], as_program["threshold"], as_program["kind"]) == ("Five orders", 5, "order_count")
    assert listed["next_cursor"] is None
    # the order count events API does not list or find the other programs
    assert [e["id"] for e in client.get("/api/v1/order-count-events", headers=keys.auth()).json()["data"]] == [
        event["id"]
    ]
    other = program["id"].removeprefix("prg_")
    assert_problem(client.get(f"/api/v1/order-count-events/oce_{other}", headers=keys.auth()), 404)


def test_the_list_pages_by_threshold_without_gaps_or_duplicates(client: TestClient, keys: Any) -> None:
    created = [create_program(client, keys, name=f"P{i}", threshold=t) for i, t in enumerate([5, 1, 3, 3, 10, 2])]
    created.append(create_event(client, keys, name="E", count=3) | {"threshold": 3})
    created[-1]["id"] = created[-1]["id"].replace("oce_", "prg_")
    expected = sorted(created, key=lambda p: (p["threshold"], int(p["id"][4:])))

    first = client.get(PROGRAMS, params={"limit": 3}, headers=keys.auth()).json()
    create_program(client, keys, name="late", threshold=100)  # added while paging: at the end, seen once
    rest = walk(client, PROGRAMS, keys.auth(), 3, cursor=first["next_cursor"])

    seen = [p["id"] for p in first["data"] + rest]
    assert seen[:7] == [p["id"] for p in expected] and len(seen) == len(set(seen)) == 8
    assert [p["id"] for p in walk(client, PROGRAMS, keys.auth(), 200)] == seen


def test_a_patch_changes_what_is_given_and_keeps_the_rest(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys, conditions=[{"tag": "gold"}], starts_at="2026-01-01T00:00:00Z")
    path = f"{PROGRAMS}/{program['id']}"

    r = client.patch(path, json={"threshold": 4, "name": "Four", "conditions": []}, headers=keys.auth())

    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["threshold"], edited["name"], edited["conditions"], edited["version"]) == (4, "Four", [], 2)
    assert edited["metric"] == "review_count" and edited["actions"] == program["actions"]
    assert edited["starts_at"] == "2026-01-01T00:00:00+00:00" and edited["excluded"] == 0


def test_a_patch_moves_the_window(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys, threshold=1, ends_at="2026-03-01T00:00:00Z")  # over already
    path = f"{PROGRAMS}/{program['id']}"

    r = client.patch(path, json={"ends_at": "2026-12-31T23:00:00-01:00"}, headers=keys.auth())

    assert r.status_code == 200, r.text
    assert r.json()["ends_at"] == "2027-01-01T00:00:00+00:00" and r.json()["version"] == 2
    send(client, keys, review("cy", "r1"))
    assert [m["customer_id"] for m in milestones(client, keys)] == ["cy"]
    unchanged = client.patch(path, json={"ends_at": "2027-01-01T00:00:00Z"}, headers=keys.auth())
    assert unchanged.status_code == 200 and unchanged.json()["version"] == 2
    assert_problem(client.patch(path, json={"starts_at": "2027-02-01T00:00:00Z"}, headers=keys.auth()), 422, "ends_at")


def test_a_patch_refuses_null_unknown_fields_and_a_new_metric(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys)
    path = f"{PROGRAMS}/{program['id']}"

    assert_problem(client.patch(path, json={"name": None}, headers=keys.auth()), 422, "name")
    assert_problem(client.patch(path, json={"threshold": None}, headers=keys.auth()), 422, "threshold")
    assert_problem(client.patch(path, json={"metric": "order_count"}, headers=keys.auth()), 422, "metric")
    assert_problem(client.patch(path, json={"count": 3}, headers=keys.auth()), 422, "count")
    assert_problem(client.patch(path, json={"threshold": 0}, headers=keys.auth()), 422, "threshold")
    assert_problem(client.patch(path, json={"threshold": 9_172_180_914}, headers=keys.auth()), 422, "threshold")
    assert_problem(client.patch(path, json={"ends_at": "2026-05-01T00:00:00"}, headers=keys.auth()), 422, "ends_at")
    assert client.get(path, headers=keys.auth()).json()["version"] == 1


def test_a_deleted_program_is_gone_but_its_milestones_stay(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys, threshold=1)
    send(client, keys, review("dee", "r1"))
    path = f"{PROGRAMS}/{program['id']}"

    assert client.delete(path, headers=keys.auth()).status_code == 204

    assert_problem(client.get(path, headers=keys.auth()), 404)
    assert_problem(client.patch(path, json={"name": "Back"}, headers=keys.auth()), 404)
    assert_problem(client.delete(path, headers=keys.auth()), 404)
    assert client.get(PROGRAMS, headers=keys.auth()).json()["data"] == []
    assert [m["customer_id"] for m in milestones(client, keys)] == ["dee"]
    send(client, keys, review("eve", "eve-r1"))
    assert [m["customer_id"] for m in milestones(client, keys)] == ["dee"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": "points"}, "metric"),
        ({"metric": None}, "metric"),
        ({"threshold": 0}, "threshold"),
        ({"threshold": -3}, "threshold"),
        ({"threshold": "3"}, "threshold"),
        ({"threshold": 2.5}, "threshold"),
        ({"threshold": 10**16}, "threshold"),
        ({"threshold": 2**31}, "threshold"),  # a count, not an amount
        ({"metric": "order_count", "threshold": 1_000_000_001}, "threshold"),
        ({"starts_at": "2026-05-01T00:00:00"}, "starts_at"),
        ({"ends_at": "2026-05-01 00:00"}, "ends_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": 1780000000}, "starts_at"),
        ({"starts_at": "2026-06-01T00:00:00Z", "ends_at": "2026-05-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2026-06-01T00:00:00Z", "ends_at": "2026-06-01T02:00:00+02:00"}, "ends_at"),
        ({"starts_at": "0001-01-01T00:00:00+23:59"}, "starts_at"),
        ({"name": " "}, "name"),
        ({"actions": []}, "actions"),
        ({"actions": [{"type": "credit", "amount": 500, "currency": "EUR"}]}, "actions[0].currency"),
        ({"conditions": [{"tag": "vip", "has": "yes"}]}, "conditions.0.has"),
        ({"kind": "program"}, "kind"),
    ],
)
def test_invalid_programs_are_422_problems_naming_the_field(
    client: TestClient, keys: Any, body: dict[str, Any], field: str
) -> None:
    full = {"name": "P", "metric": "review_count", "threshold": 2, "actions": [{"type": "alert"}], **body}

    assert_problem(client.post(PROGRAMS, json=full, headers=keys.auth()), 422, field)
    assert client.get(PROGRAMS, headers=keys.auth()).json()["data"] == []


@pytest.mark.parametrize("program_id", ["prg_999999999", "999999998", "oce_1", "mst_1", "prg_x", "prg_" + "9" * 30])
def test_unknown_or_malformed_ids_are_404(client: TestClient, keys: Any, program_id: str) -> None:
    create_event(client, keys)  # an order count event exists, yet oce_ ids are not program ids

    assert_problem(client.get(f"{PROGRAMS}/{program_id}", headers=keys.auth()), 404)
    assert_problem(client.patch(f"{PROGRAMS}/{program_id}", json={"name": "N"}, headers=keys.auth()), 404)
    assert_problem(client.delete(f"{PROGRAMS}/{program_id}", headers=keys.auth()), 404)


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}, {"cursor": encode_cursor(["oce", 1, 1])}],
)
def test_bad_paging_parameters_are_422(client: TestClient, keys: Any, params: dict[str, Any]) -> None:
    field = "query.cursor" if "cursor" in params else "query.limit"

    assert_problem(client.get(PROGRAMS, params=params, headers=keys.auth()), 422, field)


def test_a_repeating_program_fires_at_every_mark_and_the_log_names_the_program(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys, name="Every 2nd review", threshold=2, every=2)
    event = create_event(client, keys, count=1)
    assert program["every"] == 2

    send(client, keys, *(review("c1", f"r{i}") for i in range(5)))
    r = client.post(
        "/api/v1/events",
        json={"id": "o1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 100},
        headers=keys.auth("ingest"),
    )
    assert r.json()["results"][0]["milestones"][0]["order_count_event_id"] == event["id"]

    log = milestones(client, keys)
    reviews = sorted((m["occurrence"], m["value"]) for m in log if m["program_id"] == program["id"])
    assert reviews == [(1, 2), (2, 4)]
    assert {m["order_count_event_id"] for m in log if m["program_id"] == program["id"]} == {None}
    by_program = client.get("/api/v1/milestones", params={"program_id": program["id"]}, headers=keys.auth())
    assert [m["occurrence"] for m in by_program.json()["data"]] == [2, 1]


def test_a_journey_is_created_through_the_programs_api_and_fires_in_order(client: TestClient, keys: Any) -> None:
    steps = [{"metric": "order_count"}, {"metric": "review_count", "count": 2}]
    r = client.post(
        PROGRAMS, json={"name": "Buy then review twice", "steps": steps, "actions": ACTIONS}, headers=keys.auth()
    )
    assert r.status_code == 201, r.text
    journey = r.json()
    assert (journey["kind"], journey["metric"], journey["threshold"]) == ("journey", "order_count", 2)
    assert journey["steps"] == [{"metric": "order_count", "count": 1}, {"metric": "review_count", "count": 2}]

    send(client, keys, review("c1", "early"))  # before the order: does not count
    send(client, keys, {"id": "p1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 100})
    send(client, keys, review("c1", "r1"))
    assert [m for m in milestones(client, keys) if m["program_id"] == journey["id"]] == []
    send(client, keys, review("c1", "r2"))
    assert [m["value"] for m in milestones(client, keys) if m["program_id"] == journey["id"]] == [2]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steps": [{"metric": "order_count"}, {"metric": "review_count"}], "metric": "order_count"}, "steps"),
        ({"steps": [{"metric": "order_count"}]}, "steps"),
        ({"threshold": 3}, "metric"),
        ({"metric": "order_count"}, "threshold"),
    ],
)
def test_a_program_needs_a_metric_and_threshold_or_steps(client: TestClient, keys: Any, body: dict, field: str) -> None:
    r = client.post(PROGRAMS, json={"name": "x", "actions": ACTIONS, **body}, headers=keys.auth())
    assert r.status_code == 422, r.text
    assert field in r.text


def test_an_inactivity_program_is_created_through_the_programs_api(client: TestClient, keys: Any) -> None:
    r = client.post(PROGRAMS, json={"name": "Miss you", "days": 90, "actions": ACTIONS}, headers=keys.auth())
    assert r.status_code == 201, r.text
    program = r.json()
    assert (program["kind"], program["threshold"]) == ("inactivity", 90)
    both = client.post(
        PROGRAMS, json={"name": "x", "days": 90, "metric": "order_count", "actions": ACTIONS}, headers=keys.auth()
    )
    assert both.status_code == 422 and "days" in both.text
    too_long = client.post(PROGRAMS, json={"name": "x", "days": 4000, "actions": ACTIONS}, headers=keys.auth())
    assert too_long.status_code == 422


def test_the_clawback_policy_is_set_and_changed_through_the_api(client: TestClient, keys: Any) -> None:
    program = create_program(client, keys)
    assert program["clawback_days"] is None  # keep, by default
    program = create_program(client, keys, clawback_days=30)
    assert program["clawback_days"] == 30
    r = client.patch(f"{PROGRAMS}/{program['id']}", json={"clawback_days": 7}, headers=keys.auth())
    assert r.status_code == 200 and r.json()["clawback_days"] == 7, r.text
    r = client.patch(f"{PROGRAMS}/{program['id']}", json={"clawback_days": 0}, headers=keys.auth())
    assert r.status_code == 200 and r.json()["clawback_days"] is None, r.text
    r = client.post(
        PROGRAMS,
        json={"name": "P", "metric": "order_count", "threshold": 1, "actions": ACTIONS, "clawback_days": -1},
        headers=keys.auth(),
    )
    assert r.status_code == 422, r.text
    r = client.post(
        PROGRAMS, json={"name": "Away", "days": 30, "actions": ACTIONS, "clawback_days": 5}, headers=keys.auth()
    )
    assert_problem(r, 422, field="clawback_days")


# -- null removes a bound of the window ---------------------------------------------------------


def test_a_null_end_reopens_an_ended_program_for_new_crossings_only(client: TestClient, keys: Any) -> None:
    # Given a program that ended (the clock stands at 2026-03-01 12:00) and a customer who crossed since
    program = create_program(
        client, keys, threshold=1, ends_at="2026-03-01T00:00:00Z", starts_at="2026-01-01T00:00:00Z"
    )
    send(client, keys, review("crossed", "c1"))
    assert milestones(client, keys) == []
    path = f"{PROGRAMS}/{program['id']}"

    # When its end is removed
    r = client.patch(path, json={"ends_at": None}, headers=keys.auth())

    # Then it has no end, the customer who crossed while it was over is excluded, and the start stays
    assert r.status_code == 200, r.text
    reopened = r.json()
    assert (reopened["ends_at"], reopened["starts_at"], reopened["version"]) == (None, "2026-01-01T00:00:00+00:00", 2)
    assert reopened["excluded"] == 1
    assert client.get(path, headers=keys.auth()).json()["ends_at"] is None
    # And it fires for a new crossing, never for the one who crossed while it was over
    send(client, keys, review("crossed", "c2"), review("new", "n1"))
    assert [m["customer_id"] for m in milestones(client, keys)] == ["new"]


def test_a_null_end_does_what_extending_the_end_does(client: TestClient, keys: Any) -> None:
    extended = create_program(client, keys, name="Extended", threshold=1, ends_at="2026-03-01T00:00:00Z")
    cleared = create_program(client, keys, name="Cleared", threshold=1, ends_at="2026-03-01T00:00:00Z")
    send(client, keys, review("crossed", "c1"))

    later = client.patch(f"{PROGRAMS}/{extended['id']}", json={"ends_at": "2027-01-01T00:00:00Z"}, headers=keys.auth())
    never = client.patch(f"{PROGRAMS}/{cleared['id']}", json={"ends_at": None}, headers=keys.auth())

    assert (later.json()["excluded"], never.json()["excluded"]) == (1, 1)
    send(client, keys, review("crossed", "c2"), review("new", "n1"))
    fired = sorted((m["name"], m["customer_id"]) for m in milestones(client, keys))
    assert fired == [("Cleared", "new"), ("Extended", "new")]


def test_a_null_start_opens_a_program_that_has_not_started(client: TestClient, keys: Any) -> None:
    # Given a program that starts next month, and a customer who crossed before it started
    program = create_program(client, keys, threshold=1, starts_at="2026-04-01T00:00:00Z")
    send(client, keys, review("early", "e1"))
    path = f"{PROGRAMS}/{program['id']}"

    # When its start is removed
    r = client.patch(path, json={"starts_at": None}, headers=keys.auth())

    # Then it is on from now: for new crossings only
    assert r.status_code == 200, r.text
    assert (r.json()["starts_at"], r.json()["excluded"], r.json()["version"]) == (None, 1, 2)
    send(client, keys, review("early", "e2"), review("new", "n1"))
    assert [m["customer_id"] for m in milestones(client, keys)] == ["new"]


def test_a_field_left_out_stays_and_a_null_for_no_bound_changes_nothing(client: TestClient, keys: Any) -> None:
    window = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}
    program = create_program(client, keys, clawback_days=30, **window)
    path = f"{PROGRAMS}/{program['id']}"

    renamed = client.patch(path, json={"name": "Renamed"}, headers=keys.auth()).json()

    assert (renamed["name"], renamed["version"], renamed["clawback_days"]) == ("Renamed", 2, 30)
    assert (renamed["starts_at"], renamed["ends_at"]) == ("2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")
    no_start = client.patch(path, json={"starts_at": None}, headers=keys.auth()).json()
    assert (no_start["starts_at"], no_start["ends_at"], no_start["version"]) == (None, renamed["ends_at"], 3)
    assert no_start["excluded"] == 0  # it was open already: nothing to arm
    again = client.patch(path, json={"starts_at": None}, headers=keys.auth()).json()
    assert again["version"] == 3  # nothing to remove: no new version
    kept = client.patch(path, json={"clawback_days": None}, headers=keys.auth()).json()
    assert (kept["clawback_days"], kept["version"]) == (None, 4)


@pytest.mark.parametrize("field", ["name", "threshold", "actions", "conditions", "active"])
def test_a_null_for_a_field_that_cannot_be_removed_is_a_422_naming_it(
    client: TestClient, keys: Any, field: str
) -> None:
    program = create_program(client, keys, ends_at="2027-01-01T00:00:00Z")
    path = f"{PROGRAMS}/{program['id']}"

    problem = assert_problem(client.patch(path, json={field: None, "ends_at": None}, headers=keys.auth()), 422, field)

    assert "null" in problem["detail"]
    assert client.get(path, headers=keys.auth()).json() == {k: v for k, v in program.items() if k != "excluded"}
