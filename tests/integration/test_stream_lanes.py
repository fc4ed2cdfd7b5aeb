"""A stream of events (`Milepost.ingest_stream`, `milepost ingest FILE`): results by
position in the stream, and on PostgreSQL two lanes stored side by side that still
apply each customer's events in the order they came."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from milepost_kit import paid, refunded

from milepost import Milepost, connect
from support.cli import MilepostCli, MilepostProcess

CUSTOMERS = 12
ORDERS = 8


def interleaved() -> list[dict[str, Any]]:
    """Each customer's orders in turn, round robin, with each customer's second order
    refunded in full right after it is paid: their 3rd and 5th counted orders are then
    o3 and o5, which only applying their events in stream order gives."""
    stream = []
    for n in range(ORDERS):
        for c in range(CUSTOMERS):
            stream.append(paid(f"c{c}", f"c{c}-o{n}", id=f"c{c}-o{n}-paid"))
            if n == 1:
                stream.append(refunded(f"c{c}", f"c{c}-o1", id=f"c{c}-o1-refunded"))
    return stream


@pytest.fixture(params=[1, 2, 3], ids=lambda n: f"{n}-lanes")
def lanes(request: pytest.FixtureRequest, mp: Milepost) -> int:
    mp.db.ingest_lanes = request.param  # SQLite takes several too: its writer lock queues them
    return request.param


def test_each_customers_events_apply_in_stream_order(mp: Milepost, store: str, lanes: int) -> None:
    third = mp.order_count_events.create(store, count=3, name="Third", actions=[{"type": "add_tag", "tag": "3"}])
    fifth = mp.order_count_events.create(store, count=5, name="Fifth", actions=[{"type": "add_tag", "tag": "5"}])
    stream = interleaved()

    results = list(mp.ingest_stream(store, stream, batch_size=7))

    # every event reported once, at its position in the stream
    reported = sorted((r.index, r.key, r.status) for b in results for r in b.results)
    assert reported == [(i, e["id"], "accepted") for i, e in enumerate(stream)]
    log = mp.reports.milestone_log(store)
    crossed = {(m.customer_id, m.rule_id): m.order_id for m in log}
    assert len(log) == 2 * CUSTOMERS
    for c in range(CUSTOMERS):
        assert crossed[(f"c{c}", third.rule.id)] == f"c{c}-o3"  # o0, o2, o3: o1 was refunded
        assert crossed[(f"c{c}", fifth.rule.id)] == f"c{c}-o5"
        assert mp.customers.get(store, f"c{c}").order_count == ORDERS - 1
    # the firings a result reports are the ones its batch stored
    assert sorted(f["firing_id"] for b in results for f in b.firings) == sorted(m.id for m in log)

    # the same stream again: all duplicates, nothing changes
    again = list(mp.ingest_stream(store, stream, batch_size=7))
    assert sum(b.duplicates for b in again) == len(stream)
    assert len(mp.reports.milestone_log(store)) == 2 * CUSTOMERS


def test_rejections_are_reported_at_their_position(mp: Milepost, store: str, lanes: int) -> None:
    stream: list[Any] = [paid(f"c{n % 5}", f"o{n}", id=f"e{n}") for n in range(23)]
    stream[4] = {"id": "no-customer", "type": "order.paid", "order_id": "x", "total": 100}
    stream[17] = {**paid("c2", "o-neg", id="negative"), "total": -5}
    stream.append(paid("c0", "o0", id="e0"))  # the first event, sent again at the end

    results = list(mp.ingest_stream(store, stream, batch_size=4))

    by_position = {r.index: r for b in results for r in b.results}
    assert sorted(by_position) == list(range(len(stream)))
    assert [(i, r.field) for i, r in sorted(by_position.items()) if r.status == "rejected"] == [
        (4, "customer_id"),
        (17, "total"),
    ]
    assert by_position[23].status == "duplicate"
    assert sum(b.accepted for b in results) == 21


@pytest.mark.postgres
@pytest.mark.parametrize("workers", [1, 3])
def test_the_cli_ingests_a_file_in_lanes_on_postgresql(postgres_url: str, tmp_path: Path, workers: int) -> None:
    """One process in two lanes, or three processes sharing the customers out (the real
    command: the processes it spawns start as it does)."""
    cli = MilepostProcess(tmp_path, MILEPOST_DATABASE_URL=postgres_url)
    store = f"lanes{workers}"
    cli("stores", "create", store, "--name", "Lanes")
    cli("events", "create", "--store", store, "--count", "3", "--name", "Third", "--add-tag", "three")
    stream = interleaved()
    stream.insert(30, {"id": "bad", "type": "order.paid", "customer_id": "c1", "order_id": "x", "total": -1})
    lines = [json.dumps(e) for e in stream]
    lines.insert(50, "{not json")
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")

    command = ("ingest", str(events), "--store", store, "--batch-size", "5", "--workers", str(workers), "--json")
    report = json.loads(cli(*command, expect=1).stdout)

    assert (report["accepted"], report["rejected"], report["milestones"]) == (len(stream) - 1, 2, CUSTOMERS)
    assert [(r["line"], r["field"]) for r in report["rejections"]] == [(31, "total"), (51, "line")]
    assert report["lines"] == len(lines)
    if workers > 1:  # every process reads the file: stdin cannot be shared
        refused = cli("ingest", "-", "--store", store, "--workers", str(workers), stdin=lines[0], expect=2)
        assert "--workers needs a file" in refused.stderr
    mp = connect(postgres_url)
    try:
        assert sorted((m.customer_id, m.order_id) for m in mp.reports.milestone_log(store)) == sorted(
            (f"c{c}", f"c{c}-o3") for c in range(CUSTOMERS)
        )
        assert {mp.customers.get(store, f"c{c}").order_count for c in range(CUSTOMERS)} == {ORDERS - 1}
    finally:
        mp.close()


def test_the_cli_takes_workers_only_on_postgresql_and_from_a_file(tmp_path: Path) -> None:
    cli = MilepostCli(tmp_path)
    cli("stores", "create", "one", "--name", "One writer")
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(paid("c1", "o1")) + "\n")
    refused = cli("ingest", str(events), "--store", "one", "--workers", "2", expect=2)
    assert "--workers needs PostgreSQL" in refused.stderr
    assert "accepted 1" in cli("ingest", str(events), "--store", "one").stdout
