"""`milepost run-daily` through the real command (support/cli.py) on each backend: a past date replayed, the
missed days caught up in order, an earlier date adding nothing, and a bad date refused."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import MilepostCli


def test_run_daily_catches_up_the_missed_days_of_a_past_date(fresh: MilepostCli, tmp_path: Path) -> None:
    fresh("stores", "create", "shop", "--name", "Shop")
    fresh("stores", "create", "kiwi", "--name", "Kiwi", "--timezone", "Pacific/Auckland")
    program = ["--store", "shop", "--name", "Miss you", "--days", "10", "--add-tag", "lapsed"]
    fresh("programs", "create-inactivity", *program)
    order = {"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 1000}
    events = tmp_path / "orders.jsonl"
    events.write_text(json.dumps({**order, "occurred_at": "2026-01-01T12:00:00Z"}) + "\n")
    fresh("ingest", str(events), "--store", "shop")

    first = fresh("run-daily", "--store", "shop", "--date", "2026-01-05")
    assert first.stdout == "shop: 2026-01-05: 0 milestones fired, 0 points expired\n"
    caught_up = fresh.json("run-daily", "--date", "2026-01-12")
    by_store = {run["store"]: run for run in caught_up}
    assert [(d["date"], d["fired"]) for d in by_store["shop"]["days"]] == [
        (f"2026-01-{day:02}", 1 if day == 12 else 0) for day in range(6, 13)
    ]
    assert [d["date"] for d in by_store["kiwi"]["days"]] == ["2026-01-12"]  # its first run
    assert "lapsed" in fresh.json("customers", "show", "c1", "--store", "shop")["tags"]

    again = fresh("run-daily", "--store", "shop", "--date", "2026-01-08")
    assert again.stdout == "shop: nothing to run, 2026-01-08 is done already\n"


def test_run_daily_refuses_a_bad_date_or_store_on_one_line(fresh: MilepostCli) -> None:
    bad = fresh("run-daily", "--date", "2026-13-01", expect=2)
    assert bad.stderr.startswith("error: ") and "'2026-13-01' does not match the format '%Y-%m-%d'" in bad.stderr
    assert bad.stderr.count("\n") == 1
    missing = fresh("run-daily", "--store", "nope", expect=2)
    assert missing.stderr.startswith("error: ") and missing.stderr.count("\n") == 1


def test_the_scheduler_once_runs_the_day_that_began_in_each_store_then_nothing(fresh: MilepostCli) -> None:
    fresh("stores", "create", "shop", "--name", "Shop")
    fresh("stores", "create", "kiwi", "--name", "Kiwi", "--timezone", "Pacific/Auckland")
    first = fresh("scheduler", "--once").stdout.splitlines()
    assert first[0].startswith("scheduler on ")
    assert sorted(line.split(":")[0] for line in first[1:]) == ["kiwi", "shop"]  # today, a first run each
    assert fresh("scheduler", "--once").stdout.splitlines()[1:] == []  # no day began since
    ran = fresh.json("run-daily", "--store", "shop")[0]  # today, which the scheduler ran
    assert ran["days"] == []
