"""`milepost customers show` lists the customer's discount codes, through the real command (support/cli.py) on
SQLite and PostgreSQL: what each gives, its status now, its expiry, the milestone that
issued it, where it was redeemed and why it was voided."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support.cli import MilepostCli as Milepost

GIFT = {"type": "code", "discount": {"kind": "fixed_amount", "amount": 1000}, "pattern": "GIFT-XXXX-XXXX"}
SHIPPING = {"type": "code", "discount": {"kind": "free_shipping"}, "expires_in_days": 30}


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> tuple[Milepost, str]:
    """A store whose 1st order gives a $10.00 code ("Gift") and 2nd free shipping for 30 days
    ("Shipping"); ada paid two orders."""
    mp = Milepost(tmp_path / "data", MILEPOST_DATABASE_URL=database_url)
    store = f"s-{uuid.uuid4().hex}"
    mp("stores", "create", store, "--name", "Shop")
    for name, threshold, action in (("Gift", "1", GIFT), ("Shipping", "2", SHIPPING)):
        common = ("--store", store, "--name", name, "--metric", "order_count", "--threshold", threshold)
        mp("programs", "create", *common, "--action", json.dumps(action))
    orders = [
        {"id": f"e{i}", "type": "order.paid", "customer_id": "ada", "order_id": f"o{i}", "total": 2000} for i in (1, 2)
    ]
    (tmp_path / "orders.jsonl").write_text("".join(json.dumps(o) + "\n" for o in orders))
    mp("ingest", str(tmp_path / "orders.jsonl"), "--store", store)
    return mp, store


def test_customers_show_lists_the_codes_and_what_became_of_them(shop: tuple[Milepost, str]) -> None:
    milepost, store = shop
    # Given ada's two codes, as the report shows them to scripts
    shown = milepost.json("customers", "show", "ada", "--store", store)
    gift, shipping = shown["codes"]
    assert (gift["status"], shipping["status"]) == ("valid", "valid")
    assert gift["code"]["code"].startswith("GIFT-") and gift["code"]["discount"]["amount"] == 1000
    assert gift["code"]["expires_at"] is None and shipping["code"]["expires_at"] is not None
    milestones = {m["rule_name"]: m["id"] for m in shown["milestones"]}
    assert (gift["milestone"]["rule_name"], gift["milestone"]["firing_id"]) == ("Gift", milestones["Gift"])
    assert shipping["milestone"]["firing_id"] == milestones["Shipping"]
    listed = milepost.json("codes", "list", "--store", store, "ada")
    assert [{"code": c["code"], "status": c["status"]} for c in shown["codes"]] == listed  # as `codes list` shows

    # When the store redeems one and voids the other
    gift_code, shipping_code = gift["code"]["code"], shipping["code"]["code"]
    milepost("codes", "redeem", "--store", store, gift_code, "ada", "--order", "o-9", "--key", "k1")
    milepost("codes", "void", "--store", store, shipping_code, "--reason", "sent by mistake")

    # Then the report says so, for scripts and for people
    again = milepost.json("customers", "show", "ada", "--store", store)
    assert [c["status"] for c in again["codes"]] == ["already_redeemed", "voided"]
    assert again["codes"][0]["code"]["redeemed_order_id"] == "o-9"
    assert again["codes"][1]["code"]["void_reason"] == "sent by mistake"
    text = milepost("customers", "show", "ada", "--store", store).stdout
    assert "Discount codes" in text
    for expected in (gift_code, "$10.00 off", "already_redeemed", "order o-9", f"Gift (log id {milestones['Gift']})"):
        assert expected in text
    for expected in (shipping_code, "free shipping", "voided", "sent by mistake", "Shipping (log id"):
        assert expected in text
