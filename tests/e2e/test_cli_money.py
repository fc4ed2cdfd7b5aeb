"""Money on the command line, through the real command (support/cli.py) on every backend: amounts typed as people
write them in the store's currency (`--credit 5` is $5.00), `500c` or `--minor-units` for the
API's minor units, the currency's decimals checked, and what was made printed as the store's
currency is written ($5.00, €12.50, ¥500). `--json` keeps minor units."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from support.cli import MilepostCli as Milepost


def shop(database_url: str, tmp_path: Path, currency: str) -> tuple[Milepost, str]:
    """The CLI on the suite's database of this backend, and a new store in `currency`."""
    mp, store = Milepost(tmp_path, MILEPOST_DATABASE_URL=database_url), f"m-{uuid.uuid4().hex[:10]}"
    mp("stores", "create", store, "--name", "Money shop", "--currency", currency)
    return mp, store


def first_order_log(mp: Milepost, store: str, tmp_path: Path, total: int, currency: str) -> str:
    """Customer c1's first order of `total` minor units, ingested; then the milestone log as printed."""
    orders = tmp_path / "orders.jsonl"
    order = {"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": total}
    orders.write_text(json.dumps({**order, "currency": currency}) + "\n")
    mp("ingest", str(orders), "--store", store)
    return str(mp("milestones", "log", "--store", store).stdout)


def test_credit_5_is_five_dollars_and_says_so(database_url: str, tmp_path: Path) -> None:
    # Given a USD store, When an event is created with --credit 5
    mp, store = shop(database_url, tmp_path, "USD")
    said = mp(
        "events", "create", "--store", store, "--count", "3", "--name", "Third order",
        "--credit", "5", "--add-tag", "Regular",
    ).stdout  # fmt: skip
    # Then it says what it made, money as people read it, and the action holds 500 cents
    assert "  actions: credit $5.00; +tag 'Regular'" in said.splitlines()
    created = mp.json("events", "list", "--store", store)[0]
    assert created["actions"][0] == {"type": "credit", "amount": 500, "currency": "USD"}


def test_amounts_in_minor_units_when_said_so(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path, "USD")
    mp("events", "create", "--store", store, "--count", "2", "--name", "Typed", *CREDITS)
    mp("events", "create", "--store", store, "--count", "3", "--name", "Minor", "--minor-units", "--credit", "500")
    typed, minor = mp.json("events", "list", "--store", store)
    assert [a["amount"] for a in typed["actions"]] == [500, 1250, 123450, 700]
    assert [a["amount"] for a in minor["actions"]] == [500]


CREDITS = ("--credit", "500c", "--credit", "12.5", "--credit", "1,234.50", "--credit", "$7")


def test_amounts_that_are_not_the_store_s_money_are_refused_in_one_line(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path, "USD")
    for flags, said in [
        (("--credit", "5.123"), "error: --credit '5.123' must be an amount with at most 2 decimals in USD\n"),
        (("--credit", "12,5"), "error: --credit '12,5' must be an amount like 10.00 USD: a point before the decimals"),
        (("--credit", "€5"), "error: --credit '€5' must be an amount like 10.00 USD\n"),
        (("--minor-units", "--credit", "5.00"), "error: --credit '5.00' must be a whole number of minor units"),
    ]:
        refused = mp("events", "create", "--store", store, "--count", "3", "--name", "x", *flags, expect=2)
        assert refused.stderr.startswith(said) and len(refused.stderr.splitlines()) == 1
    assert mp.json("events", "list", "--store", store) == []  # nothing made


def test_a_yen_store_has_no_decimals(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path, "JPY")
    refused = mp("events", "create", "--store", store, "--count", "3", "--name", "x", "--credit", "5.5", expect=2)
    assert refused.stderr == "error: --credit '5.5' must be a whole amount: JPY has no decimals\n"
    said = mp("events", "create", "--store", store, "--count", "3", "--name", "x", "--credit", "500").stdout
    assert "credit ¥500" in said
    assert mp.json("events", "list", "--store", store)[0]["actions"][0]["amount"] == 500


def test_a_euro_store_shows_euros(database_url: str, tmp_path: Path) -> None:
    # Given a EUR store, When a program on amount spent is made with amounts as people write them
    mp, store = shop(database_url, tmp_path, "EUR")
    said = mp(
        "programs", "create", "--store", store, "--name", "Big spender", "--metric", "amount_spent",
        "--threshold", "500", "--every", "100.50", "--credit", "12.5",
    ).stdout  # fmt: skip
    # Then it says them in euros, and --json keeps the API's minor units
    assert "amount spent reaches €500.00, then every €100.50" in said and "actions: credit €12.50" in said
    (program,) = [p for p in mp.json("programs", "list", "--store", store) if p["name"] == "Big spender"]
    assert (program["threshold"], program["every"], program["actions"][0]["amount"]) == (50000, 10050, 1250)
    # And a new threshold is an amount too; a count metric keeps whole numbers
    updated = mp.json("programs", "update", "--store", store, str(program["id"]), "--threshold", "750.25")
    assert updated["threshold"] == 75025
    reviews = mp.json(
        "programs",
        "create",
        "--store",
        store,
        "--name",
        "Reviews",
        "--metric",
        "review_count",
        "--threshold",
        "3",
        "--alert",
    )
    assert reviews["threshold"] == 3
    refused = mp(
        "programs", "create", "--store", store, "--name", "R", "--metric", "review_count", "--threshold", "3.5",
        expect=2,
    )  # fmt: skip
    assert refused.stderr == "error: --threshold '3.5' must be a whole number\n"
    # And the log shows the amount spent that crossed it, in euros
    log = first_order_log(mp, store, tmp_path, 80000, "EUR")
    assert "€800.00" in log and "credited €12.50" in log and "80000" not in log


def test_credit_spend_and_adjust_take_amounts_as_people_write_them(database_url: str, tmp_path: Path) -> None:
    # Given a customer whose first order gave $20.00 of credit and a $5.00 code
    mp, store = shop(database_url, tmp_path, "USD")
    code = {"type": "code", "discount": {"kind": "fixed_amount", "amount": 500}, "pattern": "GIFT-XXXX-XXXX"}
    mp(
        "events",
        "create",
        "--store",
        store,
        "--count",
        "1",
        "--name",
        "First",
        "--credit",
        "20",
        "--action",
        json.dumps(code),
    )
    log = first_order_log(mp, store, tmp_path, 900, "USD")
    assert "credited $20.00" in log and ": $5.00 off" in log and " USD" not in log
    # When they spend 15, 250c and, in minor units, 100
    spent = mp("credit", "spend", "--store", store, "c1", "15", "--key", "k2").stdout
    assert spent.startswith("c1 spent $15.00 of credit") and spent.rstrip().endswith("balance $5.00")
    mp("credit", "spend", "--store", store, "c1", "250c", "--key", "k3")
    as_json = mp.json("credit", "spend", "--store", store, "c1", "--minor-units", "100", "--key", "k4")
    # Then --json says minor units, as the API does
    assert (as_json["entry"]["amount"], as_json["balance"]) == (-100, 150)
    lowered = mp("credit", "adjust", "--store", store, "c1", "-1.5", "--key", "k5", "--reason", "fix").stdout
    assert "lowered by $1.50" in lowered and lowered.rstrip().endswith("balance $0.00")
    raised = mp("credit", "adjust", "--store", store, "c1", "1,000", "--key", "k6", "--reason", "sorry").stdout
    assert "raised by $1,000.00" in raised
    refused = mp("credit", "spend", "--store", store, "c1", "0.001", "--key", "k7", expect=2)
    assert refused.stderr == "error: AMOUNT '0.001' must be an amount with at most 2 decimals in USD\n"
    too_much = mp("credit", "spend", "--store", store, "c1", "1,000.01", "--key", "k8", expect=2)
    assert too_much.stderr == "error: c1 has $1,000.00 of credit; $1,000.01 cannot be taken\n"
