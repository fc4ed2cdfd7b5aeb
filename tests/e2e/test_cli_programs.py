"""`milepost programs ...` through the real command (support/cli.py) on a SQLite file in a temporary directory:
create with a window, list (order count events too), show, update, delete; a review program
that fires on ingest; refusals exit 2 with one line. Removing a bound of the window runs on
every backend (the suite's SQLite file and PostgreSQL schema)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support.cli import MilepostCli as Milepost

STORE = "shop"


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    mp = Milepost(tmp_path_factory.mktemp("milepost"))
    mp("stores", "create", STORE, "--name", "Shop", "--timezone", "Europe/Paris")
    return mp


def test_create_show_update_and_delete_a_program_with_a_window(milepost: Milepost) -> None:
    name = f"Big spender {uuid.uuid4().hex[:6]}"
    created = milepost.json(
        "programs",
        "create",
        "--store",
        STORE,
        "--name",
        name,
        "--metric",
        "amount_spent",
        "--threshold",
        "500",
        "--alert",
        "--credit",
        "10",
        "--if-tag",
        "vip",
        "--starts",
        "2026-01-01T01:00:00+01:00",
        "--ends",
        "2027-01-01T00:00:00Z",
    )
    assert (created["kind"], created["metric"], created["threshold"], created["active"]) == (
        "program",
        "amount_spent",
        50000,
        True,
    )
    assert [a["type"] for a in created["actions"]] == ["alert", "credit"]  # the order typed
    assert created["conditions"] == [{"tag": "vip", "has": True}]
    assert (created["starts_at"], created["ends_at"]) == ("2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")
    program_id = created["id"]
    assert program_id.startswith("prg_")

    shown = milepost("programs", "show", "--store", STORE, program_id).stdout
    assert "amount spent reaches $500.00" in shown and "from 2026-01-01 01:00 CET" in shown

    updated = milepost.json(
        "programs", "update", "--store", STORE, program_id, "--ends", "2026-06-01T00:00:00Z", "--inactive"
    )
    assert (updated["ends_at"], updated["active"], updated["version"]) == ("2026-06-01T00:00:00+00:00", False, 2)
    assert updated["actions"] == created["actions"]  # no action flag: the actions stay
    row = next(line for line in milepost("programs", "list", "--store", STORE).stdout.splitlines() if name in line)
    assert "credit $10.00" in row and "until 2026-06-01 02:00 CEST" in row and row.rstrip(" │").endswith("no")

    milepost("programs", "delete", "--store", STORE, program_id, stdin="y\n")
    assert program_id not in [p["id"] for p in milepost.json("programs", "list", "--store", STORE)]
    deleted = milepost.json("programs", "list", "--store", STORE, "--deleted")
    assert [p["deleted_at"] is not None for p in deleted if p["id"] == program_id] == [True]


def test_order_count_events_are_listed_as_programs(milepost: Milepost) -> None:
    event = milepost.json("events", "create", "--store", STORE, "--count", "900", "--name", "Nine hundred", "--alert")

    listed = milepost.json("programs", "list", "--store", STORE)

    [found] = [p for p in listed if p["order_count_event_id"] == event["id"]]
    assert (found["kind"], found["metric"], found["threshold"]) == ("order_count", "order_count", 900)
    assert found["id"] == event["id"].replace("oce_", "prg_")  # the same rule: a program too
    assert milepost.json("programs", "show", "--store", STORE, found["id"])["name"] == "Nine hundred"


def test_a_review_program_fires_on_the_third_distinct_review(milepost: Milepost, tmp_path: Path) -> None:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    name = f"Three reviews {customer}"
    milepost(
        "programs",
        "create",
        "--store",
        STORE,
        "--name",
        name,
        "--metric",
        "review_count",
        "--threshold",
        "3",
        "--add-tag",
        "Reviewer",
    )
    reviews = [f"{customer}-r1", f"{customer}-r2", f"{customer}-r3", f"{customer}-r2"]  # the last one again
    lines = [
        json.dumps({"id": f"{customer}-e{i}", "type": "review.created", "customer_id": customer, "review_id": r})
        for i, r in enumerate(reviews)
    ]
    events = tmp_path / "reviews.jsonl"
    events.write_text("\n".join(lines) + "\n")

    milepost("ingest", str(events), "--store", STORE)

    log = milepost.json("milestones", "log", "--store", STORE, "--customer", customer)
    assert [(m["rule_name"], m["value"]) for m in log] == [(name, 3)]
    assert "Reviewer" in milepost.json("customers", "show", customer, "--store", STORE)["tags"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--metric", "points", "--threshold", "3"], "'points' is not one of"),
        (["--metric", "review_count", "--threshold", "0"], "--threshold"),
        (["--metric", "review_count", "--threshold", "3000000000"], "must be at most 1,000,000,000"),
        (["--metric", "review_count", "--threshold", "3", "--starts", "2026-05-01T00:00:00"], "UTC offset"),
        (["--metric", "review_count", "--threshold", "3", "--starts", "soon"], "not an ISO 8601 time"),
        (
            [
                "--metric",
                "review_count",
                "--threshold",
                "3",
                "--starts",
                "2026-06-01T00:00:00Z",
                "--ends",
                "2026-05-01T00:00:00Z",
            ],
            "error: ends_at must be after starts_at",
        ),
    ],
)
def test_refusals_exit_2_and_create_nothing(milepost: Milepost, args: list[str], said: str) -> None:
    name = f"Refused {uuid.uuid4().hex[:6]}"

    refused = milepost("programs", "create", "--store", STORE, "--name", name, "--alert", *args, expect=2)

    assert said in refused.stderr
    assert name not in milepost("programs", "list", "--store", STORE, "--deleted").stdout


def test_an_unknown_program_is_one_line_and_exit_2(milepost: Milepost) -> None:
    for command in (["show"], ["update", "--name", "N"], ["delete", "--yes"]):
        missing = milepost("programs", command[0], "--store", STORE, "999999", *command[1:], expect=2)
        assert missing.stderr == "error: no milestone program prg_999999 in this store\n"


def test_an_inactivity_program_is_created_and_checked_from_the_cli(milepost: Milepost) -> None:
    store = f"quiet-{uuid.uuid4().hex[:6]}"
    milepost("stores", "create", store, "--name", "Quiet shop")
    created = milepost(
        "programs", "create-inactivity", "--store", store, "--name", "Miss you", "--days", "30", "--add-tag", "lapsed"
    )
    assert "created milestone program" in created.stdout
    assert "30 days without an order" in milepost("programs", "list", "--store", store).stdout
    checked = milepost("programs", "check-inactivity", "--store", store)
    assert "checked 1 inactivity programs: 0 customers past their days, 0 milestones fired" in checked.stdout
    milepost("programs", "create-inactivity", "--store", store, "--name", "x", "--days", "0", expect=2)


def test_a_program_with_a_clawback_policy(milepost: Milepost) -> None:
    name = f"First order {uuid.uuid4().hex[:6]}"
    created = milepost.json(
        "programs", "create", "--store", STORE, "--name", name, "--metric", "order_count", "--threshold", "1",
        "--credit", "5", "--clawback-days", "30",
    )  # fmt: skip
    assert created["clawback_days"] == 30
    program_id = created["id"]
    assert program_id.startswith("prg_")
    updated = milepost.json("programs", "update", "--store", STORE, program_id, "--clawback-days", "0")
    assert updated["clawback_days"] is None
    shown = milepost("programs", "update", "--store", STORE, program_id, "--clawback-days", "7").stdout
    assert "within 7 days" in shown


# -- removing a bound of the window (--no-starts, --no-ends), on every backend -----------------


@pytest.fixture
def on_backend(database_url: str, tmp_path: Path) -> tuple[Milepost, str]:
    """The CLI on the suite's database of each backend, and a store of its own."""
    mp, store = Milepost(tmp_path, MILEPOST_DATABASE_URL=database_url), f"w-{uuid.uuid4().hex[:10]}"
    mp("stores", "create", store, "--name", "Window shop")
    return mp, store


def reviews(milepost: Milepost, store: str, tmp_path: Path, *pairs: tuple[str, str]) -> None:
    lines = [
        json.dumps({"id": uuid.uuid4().hex, "type": "review.created", "customer_id": c, "review_id": r})
        for c, r in pairs
    ]
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    milepost("ingest", str(path), "--store", store)


def test_no_ends_reopens_an_ended_program_for_new_crossings_only(
    on_backend: tuple[Milepost, str], tmp_path: Path
) -> None:
    mp, store = on_backend
    created = mp.json(
        "programs", "create", "--store", store, "--name", "Ended", "--metric", "review_count", "--threshold", "1",
        "--add-tag", "Reviewer", "--starts", "2020-01-01T00:00:00Z", "--ends", "2020-02-01T00:00:00Z",
    )  # fmt: skip
    program_id = created["id"]
    assert program_id.startswith("prg_")
    reviews(mp, store, tmp_path, ("crossed", "c1"))  # while it is over

    reopened = mp.json("programs", "update", "--store", store, program_id, "--no-ends")

    assert (reopened["ends_at"], reopened["starts_at"]) == (None, "2020-01-01T00:00:00+00:00")
    assert (reopened["version"], reopened["excluded"]) == (2, 1)
    reviews(mp, store, tmp_path, ("crossed", "c2"), ("new", "n1"))
    log = mp.json("milestones", "log", "--store", store)
    assert [m["customer_id"] for m in log] == ["new"]
    assert "from 2020-01-01 00:00 UTC" in mp("programs", "show", "--store", store, program_id).stdout


def test_no_starts_opens_a_program_that_has_not_started(on_backend: tuple[Milepost, str], tmp_path: Path) -> None:
    mp, store = on_backend
    created = mp.json(
        "programs", "create", "--store", store, "--name", "Later", "--metric", "review_count", "--threshold", "1",
        "--alert", "--starts", "2100-01-01T00:00:00Z",
    )  # fmt: skip
    reviews(mp, store, tmp_path, ("early", "e1"))

    updated = mp("programs", "update", "--store", store, str(created["id"]), "--no-starts").stdout

    assert "updated milestone program" in updated and "(on, version 2)" in updated
    assert "1 customers already at or past it will not get it" in updated
    assert mp.json("programs", "show", "--store", store, str(created["id"]))["starts_at"] is None


def test_a_bound_is_either_given_or_removed(milepost: Milepost) -> None:
    created = milepost.json(
        "programs", "create", "--store", STORE, "--name", f"Both {uuid.uuid4().hex[:6]}", "--metric", "review_count",
        "--threshold", "5", "--alert", "--ends", "2100-01-01T00:00:00Z",
    )  # fmt: skip
    program_id = created["id"]
    assert program_id.startswith("prg_")

    both = milepost(
        "programs", "update", "--store", STORE, program_id, "--ends", "2101-01-01T00:00:00Z", "--no-ends", expect=2
    )

    assert "give --ends or --no-ends, not both" in both.stderr
    assert milepost.json("programs", "show", "--store", STORE, program_id)["version"] == 1
    renamed = milepost.json("programs", "update", "--store", STORE, program_id, "--name", "Renamed")
    assert (renamed["ends_at"], renamed["version"]) == ("2100-01-01T00:00:00+00:00", 2)  # left out: it stays
