"""The admin's addresses take an id as the rest of Milepost spells it (`oce_9`) or as its bare
number, and another kind's id is no page (404), on both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milepost import Milepost


def test_admin_pages_take_prefixed_and_bare_ids(admin: TestClient, mp: Milepost, store: str) -> None:
    actions = [{"type": "add_tag", "tag": "Five"}]
    event = mp.order_count_events.create(store, count=5, name="Five", actions=actions).rule.id
    program = mp.programs.create(store, name="Big", metric="amount_spent", threshold=5000, actions=actions).rule.id
    key = mp.keys.create(store, "ingest", "till")[0].id
    endpoint = mp.webhooks.create(store, url="https://hooks.example.com/in", event_types=["milestone.reached"])[0].id
    base = f"/admin/{store}/settings"
    pages = {
        f"{base}/order-count-events/{{}}/edit": ("oce", event, "prg"),
        f"{base}/order-count-events/{{}}/delete": ("oce", event, "dlv"),
        f"{base}/programs/{{}}/edit": ("prg", program, "oce"),
        f"{base}/api-keys/{{}}/revoke": ("key", key, "whe"),
        f"{base}/webhooks/{{}}/edit": ("whe", endpoint, "key"),
    }
    for page, (prefix, number, other) in pages.items():
        assert admin.get(page.format(f"{prefix}_{number}")).status_code == 200, page
        assert admin.get(page.format(number)).status_code == 200, page
        assert admin.get(page.format(f"{other}_{number}")).status_code == 404, page
        assert admin.get(page.format(f"{prefix}_x")).status_code == 404, page


def test_an_id_beyond_any_row_is_no_page(admin: TestClient, store: str) -> None:
    for page in ("order-count-events/{}/edit", "programs/{}/edit", "api-keys/{}/revoke", "webhooks/{}/edit"):
        for number in ("0", "99999999999", "oce_99999999999"):
            r = admin.get(f"/admin/{store}/settings/" + page.format(number))
            assert r.status_code in (404, 422), (page, number, r.status_code)
