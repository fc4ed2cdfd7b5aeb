"""The admin's Events page (the store's event catalogue, each internal name linked to what
it says and its payload's fields) and the customer page's event history, paged with
custom events' properties. Agents see them too."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from milepost import Milepost


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'").replace("&#34;", '"')


def test_the_events_page_lists_every_name_and_documents_the_internal_ones(
    agent: TestClient, mp: Milepost, store: str
) -> None:
    mp.ingest(
        store,
        [
            {"id": "o1", "type": "order.paid", "customer_id": "ada", "order_id": "A", "total": 1000},
            {"id": "w1", "type": "custom", "customer_id": "ada", "name": "cart_abandoned"},
            {"id": "w2", "type": "custom", "customer_id": "bob", "name": "cart_abandoned"},
        ],
    )

    page = agent.get(f"/admin/{store}/events")

    assert page.status_code == 200
    rows = {
        (name, internal): text_of(row)
        for name, internal, row in re.findall(
            r'<tr data-name="([^"]+)" data-internal="(\w+)">(.*?)</tr>', page.text, re.S
        )
    }
    assert rows[("cart_abandoned", "no")].startswith("cart_abandoned received 2 ")
    assert rows[("order.paid", "yes")].startswith("order.paid internal 1 ")
    assert rows[("order.paid", "no")].startswith("order.paid received 1 ")
    assert 'href="#internal-customer.created"' in page.text and 'id="internal-customer.created"' in page.text
    assert "Milepost saw the customer for the first time" in text_of(page.text)
    assert f'href="/admin/{store}/events" aria-current="page"' in page.text


def test_the_customer_page_pages_through_the_history_with_properties(
    agent: TestClient, mp: Milepost, store: str
) -> None:
    wishes = [
        {
            "id": f"w{i}",
            "type": "custom",
            "customer_id": "ada",
            "name": "wish",
            "properties": {"item": f"p{i}"},
            "occurred_at": f"2026-02-01T10:{i:02d}:00Z",
        }
        for i in range(30)
    ]
    mp.ingest(store, wishes)  # and customer.created, at the first one's time

    first = agent.get(f"/admin/{store}/customers/ada")
    older = re.search(r'href="([^"]+\?events=[^"]+)"', first.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = agent.get(older)

    shown = text_of(first.text)[text_of(first.text).index("Recent events") :]
    assert 'custom: wish {"item":"p29"}' in shown and "p10" in shown and "p9" not in shown
    rest = text_of(second.text)[text_of(second.text).index("Recent events") :]
    assert 'custom: wish {"item":"p9"}' in rest and "p0" in rest and "p10" not in rest
    assert "customer.created (Milepost)" in rest
    assert "Older" not in rest and "Newest" in rest
    assert agent.get(f"/admin/{store}/customers/ada", params={"events": "not-a-cursor"}).status_code == 200
