"""`milepost segments ...` on each backend: a segment defined from a file, shown with its
size, previewed before saving, its members listed, changed, refused with field paths, and
deleted."""

from __future__ import annotations

import json

from support.cli import MilepostCli

STORE = "shop"
CARTS = {"type": "event", "event": "cart_abandoned", "condition": "more_than", "value": 0}


def _custom(n: int, customer: str, name: str) -> str:
    return json.dumps({"id": f"e{n}", "type": "custom", "customer_id": customer, "name": name})


def test_a_segment_is_previewed_created_listed_shown_changed_and_deleted(fresh: MilepostCli) -> None:
    fresh("stores", "create", STORE, "--name", "Shop")
    events = [_custom(1, "ann", "cart_abandoned"), _custom(2, "bob", "cart_abandoned"), _custom(3, "cy", "wish")]
    fresh("ingest", "-", "--store", STORE, stdin="\n".join(events) + "\n")
    definition = {"key": "carts", "name": "Abandoned carts", "filters": [CARTS]}

    previewed = fresh("segments", "preview", "--file", "-", "--store", STORE, "--limit", "1", "--json",
                      stdin=json.dumps({"filters": [CARTS]}))  # fmt: skip
    made = fresh("segments", "create", "--file", "-", "--store", STORE, "--json", stdin=json.dumps(definition))
    preview, created = json.loads(previewed.stdout), json.loads(made.stdout)

    assert preview == {"size": 2, "members": [{"customer_id": "ann", "name": None, "email": None}]}
    assert (created["key"], created["kind"], created["size"]) == ("carts", "auto", 2)
    members = fresh.json("segments", "members", "carts", "--store", STORE, "--json")
    assert [m["customer_id"] for m in members] == ["ann", "bob"]
    assert "Abandoned carts" in fresh("segments", "list", "--store", STORE).stdout
    shown = json.loads(fresh("segments", "show", "carts", "--store", STORE).stdout)
    assert shown["size"] == 2 and shown["groups"] == [{"filters": [{**CARTS, "metric": "has_occurred"}]}]
    # what show prints goes back through update, with the filters changed
    changed = {**shown, "groups": [{"filters": [{**CARTS, "event": "wish"}]}]}
    out = fresh("segments", "update", "carts", "--file", "-", "--store", STORE, stdin=json.dumps(changed)).stdout
    assert out.strip() == "segment carts updated (auto, 1 customer)"
    fresh("segments", "delete", "carts", "--store", STORE)
    assert "no segment 'carts'" in fresh("segments", "show", "carts", "--store", STORE, expect=2).stderr


def test_a_refused_definition_lists_each_problem_by_its_field(fresh: MilepostCli) -> None:
    fresh("stores", "create", STORE, "--name", "Shop")
    bad = {"key": "a", "name": "A", "filters": [{**CARTS, "condition": "about"}, {"type": "segment", "segment": "a"}]}

    refused = fresh("segments", "create", "--file", "-", "--store", STORE, stdin=json.dumps(bad), expect=2)

    assert "the segment is refused:" in refused.stderr
    assert "filters[0].condition: unknown condition 'about'" in refused.stderr
    assert fresh.json("segments", "list", "--store", STORE, "--json") == []
