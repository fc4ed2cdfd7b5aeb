"""The real `milepost` command (support/cli.py; `serve` as a subprocess) on a SQLite file in a temporary directory."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from support.cli import CLI, cli_env
from support.cli import MilepostCli as Milepost


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    """A data directory seeded with the demo store, shared by the tests of this module."""
    mp = Milepost(tmp_path_factory.mktemp("milepost"))
    first = mp("demo")
    assert "store created: yes" in first.stdout
    return mp


# -- demo, customers, milestones --------------------------------------------------------------


def test_demo_seeds_once_and_a_second_run_changes_nothing(milepost: Milepost) -> None:
    # Given the demo seeded by the fixture, when it runs again
    again = milepost("demo")
    # Then it says so, and the ladder and the customers are there
    assert "nothing changed" in again.stdout
    for name in ("Welcome", "5-Order Club", "Loyal customer", "Legend", "ada", "Ada Lovelace"):
        assert name in again.stdout
    assert (milepost.data_dir / "milepost.db").exists()


def test_customer_report_as_json_shows_counts_tags_credit_and_milestones(
    milepost: Milepost,
) -> None:
    ada = milepost.json("customers", "show", "ada", "--store", "demo")
    assert ada["order_count"] == 27
    assert set(ada["tags"]) == {"5-Order Club", "Loyal Customer - 10 Orders", "25-Order Legend"}
    assert ada["balance"] == 1000 + 2500
    assert [m["rule_name"] for m in ada["milestones"]] == [
        "Welcome",
        "5-Order Club",
        "Loyal customer",
        "Legend",
    ]
    vip = ada["milestones"][1]["actions"]
    assert [(a["type"], a["status"]) for a in vip] == [
        ("send_email", "pending"),  # the worker has not run: the email waits
        ("credit", "done"),
        ("add_tag", "done"),
    ]


@pytest.mark.slow
def test_customer_report_for_people_formats_money(milepost: Milepost) -> None:
    shown = milepost("customers", "show", "grace", "--store", "demo").stdout
    assert "Loyal Customer - 10 Orders" in shown
    assert "$10.00" in shown  # the 5th order's credit, as a balance and a ledger entry
    assert "credit: done" in shown


def test_milestone_log_filters_by_customer(milepost: Milepost) -> None:
    log = milepost.json("milestones", "log", "--store", "demo", "--customer", "grace")
    assert [m["rule_name"] for m in log] == [
        "Loyal customer",
        "5-Order Club",
        "Welcome",
    ]  # newest first
    assert [m["value"] for m in log] == [10, 5, 1]
    assert log[0]["order_id"] == "grace-o10"


# -- ingest ------------------------------------------------------------------------------------


def test_ingest_keeps_valid_events_reports_bad_lines_and_dedupes_a_resend(milepost: Milepost, tmp_path: Path) -> None:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    lines = [
        json.dumps(
            {
                "id": f"{customer}-1",
                "type": "order.paid",
                "customer_id": customer,
                "order_id": f"{customer}-o1",
                "total": 2500,
                "currency": "USD",
                "occurred_at": "2026-01-01T10:00:00Z",
            }
        ),
        "{not json",
        "",
        json.dumps(
            {
                "id": f"{customer}-2",
                "type": "order.paid",
                "customer_id": customer,
                "order_id": "x",
                "total": -5,
            }
        ),
        json.dumps(
            {
                "id": f"{customer}-3",
                "type": "order.paid",
                "customer_id": customer,
                "order_id": f"{customer}-o2",
                "total": 1000,
            }
        ),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    # When the file is ingested: the two valid events are kept, the others reported (exit 1)
    first = milepost("ingest", str(events), "--store", "demo", expect=1)
    assert "accepted 2, duplicates 0, conflicts 0, rejected 2; milestones fired 1" in first.stdout
    assert "not valid JSON" in first.stdout
    assert f"{customer}-2" in first.stdout and "total" in first.stdout
    # When the same lines are sent again through stdin: all valid ones are duplicates
    again = json.loads(milepost("ingest", "-", "--store", "demo", "--json", stdin=events.read_text(), expect=1).stdout)
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 2)
    assert [(r["line"], r["field"]) for r in again["rejections"]] == [(2, "line"), (4, "total")]
    report = milepost.json("customers", "show", customer, "--store", "demo")
    assert (report["order_count"], report["amount_spent"]) == (2, 3500)
    assert [m["rule_name"] for m in report["milestones"]] == ["Welcome"]


def test_ingest_reports_an_id_sent_again_with_other_content_as_a_conflict(milepost: Milepost, tmp_path: Path) -> None:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    event = {"id": f"{customer}-1", "type": "order.paid", "customer_id": customer, "order_id": "o1", "total": 2500}
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(event) + "\n")
    milepost("ingest", str(events), "--store", "demo")
    # When the same id comes again with another total, beside a new event
    changed = {**event, "total": 9900}
    fresh = {**event, "id": f"{customer}-2", "order_id": "o2"}
    events.write_text(json.dumps(changed) + "\n" + json.dumps(fresh) + "\n")

    shown = milepost("ingest", str(events), "--store", "demo", expect=1).stdout

    # Then it is a conflict (exit 1), the new one is kept, and the first total stays
    assert "accepted 1, duplicates 0, conflicts 1, rejected 0" in shown and "other content" in shown
    again = json.loads(milepost("ingest", str(events), "--store", "demo", "--json", expect=1).stdout)
    assert (again["accepted"], again["duplicates"], again["conflicts"], again["rejected"]) == (0, 1, 1, 0)
    assert [(c["line"], c["id"]) for c in again["conflicting"]] == [(1, f"{customer}-1")]
    assert milepost.json("customers", "show", customer, "--store", "demo")["amount_spent"] == 5000


# -- order count events ------------------------------------------------------------------------


@pytest.mark.slow
def test_events_create_list_disable_delete(milepost: Milepost) -> None:
    store, name = "demo", f"Order 1000 {uuid.uuid4().hex[:6]}"  # a count nobody reaches
    created = milepost.json(
        "events",
        "create",
        "--store",
        store,
        "--count",
        "1000",
        "--name",
        name,
        "--credit",
        "5",
        "--add-tag",
        "Regular",
        "--alert",
        "--if-tag",
        "Newsletter",
    )
    assert [a["type"] for a in created["actions"]] == [
        "credit",
        "add_tag",
        "alert",
    ]  # the order typed
    assert created["conditions"] == [{"tag": "Newsletter", "has": True}]
    event_id = created["id"]
    assert event_id.startswith("oce_")
    milepost("events", "disable", "--store", store, event_id)
    listed = milepost("events", "list", "--store", store).stdout
    row = next(line for line in listed.splitlines() if name in line)
    assert "credit $5.00; +tag 'Regular'; alert" in row and "has 'Newsletter'" in row
    assert row.rstrip(" │").endswith("no")  # switched off
    milepost("events", "delete", "--store", store, event_id, stdin="y\n")
    assert event_id not in [e["id"] for e in milepost.json("events", "list", "--store", store)]


# -- credit ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_credit_spend_is_idempotent_by_key_and_adjust_takes_negative_amounts(
    milepost: Milepost,
) -> None:
    key = uuid.uuid4().hex
    # alan got $10.00 on his 5th order
    spent = json.loads(milepost("credit", "spend", "--store", "demo", "alan", "3", "--key", key, "--json").stdout)
    assert (spent["entry"]["amount"], spent["balance"]) == (-300, 700)
    again = milepost("credit", "spend", "--store", "demo", "alan", "3.00", "--key", key)
    assert "balance $7.00" in again.stdout  # the same key spends once
    adjusted = milepost(
        "credit",
        "adjust",
        "--store",
        "demo",
        "alan",
        "-2",
        "--key",
        key,
        "--reason",
        "goodwill reversed",
        "--by",
        "sam",
    )
    assert "balance $5.00" in adjusted.stdout
    too_much = milepost("credit", "spend", "--store", "demo", "alan", "99.99", "--key", f"{key}-2", expect=2)
    assert too_much.stderr == "error: alan has $5.00 of credit; $99.99 cannot be taken\n"


# -- errors ------------------------------------------------------------------------------------


def test_errors_are_one_line_with_exit_code_2(milepost: Milepost) -> None:
    missing = milepost("customers", "show", "ada", "--store", "no-such-store", expect=2)
    assert missing.stderr == "error: no store with the key 'no-such-store'\n"
    invalid = milepost(
        "events",
        "create",
        "--store",
        "demo",
        "--count",
        "0",
        "--name",
        "Zero",
        "--email",
        "missing-template",
        expect=2,
    )
    line = invalid.stderr.strip()
    assert "\n" not in line and line.startswith("error: ")
    assert "no email template with the key 'missing-template'" in line


# -- serve -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_serve_demo_seeds_prints_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [*CLI, "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
    )
    try:
        seen = []
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if "Ctrl-C stops it" in line:
                break
        output = "".join(seen)
        assert "demo store seeded" in output, output + process.stderr.read()
        assert "store 'demo'" in output and "4 order count events" in output
        assert "milepost customers show ada --store demo" in output
        assert "its admin API key (shown once)" in output and "mpk_" in output
        _wait_until_up(f"http://127.0.0.1:{port}/healthz")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                assert answer.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# -- keys --------------------------------------------------------------------------------------


def test_keys_are_shown_once_listed_by_prefix_and_revoked(milepost: Milepost) -> None:
    created = milepost.json("keys", "create", "--store", "demo", "--scope", "ingest", "--name", "webhooks")
    secret = created["secret"]
    assert secret.startswith(created["prefix"]) and created["scope"] == "ingest"

    listed = milepost("keys", "list", "--store", "demo")
    assert created["id"] in listed.stdout and "webhooks" in listed.stdout and secret not in listed.stdout

    milepost("keys", "revoke", created["id"], "--store", "demo")
    [again] = [k for k in milepost.json("keys", "list", "--store", "demo") if k["id"] == created["id"]]
    assert again["revoked_at"] is not None
    bad_scope = milepost("keys", "create", "--store", "demo", "--scope", "root", expect=2)
    assert "root" in bad_scope.stderr
    missing = milepost("keys", "revoke", "key_999999", "--store", "demo", expect=2)
    assert missing.stderr.startswith("error: no API key key_999999")


# -- templates ---------------------------------------------------------------------------------


def test_templates_preview_for_a_customer_and_refuse_what_does_not_render(milepost: Milepost) -> None:
    preview = milepost.json("templates", "preview", "vip", "--store", "demo", "--customer", "ada")
    assert preview["subject"] == "You are a VIP now, Ada Lovelace"
    assert "$25.00 of store credit" in preview["text"]  # her last milestone's reward

    refused = milepost(
        "templates", "save", "--store", "demo", "oops", "--subject", "Hi", "--text", "{{ nope }}", expect=2
    )
    assert refused.stderr.strip() == "error: body_text: line 1: 'nope' is undefined"


def test_alerts_are_listed_acknowledged_and_resolved(tmp_path: Path) -> None:
    mp = Milepost(tmp_path)
    mp("demo")
    open_alerts = mp.json("alerts", "list", "--store", "demo")
    assert open_alerts and all(a["status"] == "open" for a in open_alerts)
    first, second = open_alerts[0]["id"], open_alerts[-1]["id"]
    assert "acknowledged by dana" in mp("alerts", "ack", str(first), "--store", "demo", "--by", "dana").stdout
    assert "resolved by sam" in mp("alerts", "resolve", str(second), "--store", "demo", "--by", "sam").stdout
    everything = {a["id"]: a for a in mp.json("alerts", "list", "--store", "demo", "--all")}
    assert everything[second]["status"] == "resolved" and everything[second]["resolved_by"] == "sam"
    if first != second:
        assert everything[first]["status"] == "acknowledged"
    assert mp.json("alerts", "list", "--store", "demo", "--assignee", "nobody@demo.example") == []
    assert "no alert" in mp("alerts", "resolve", "999999", "--store", "demo", "--by", "x", expect=2).stderr
