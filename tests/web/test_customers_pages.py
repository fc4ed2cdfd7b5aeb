"""Customers in the admin UI, on both backends: the list, searched by id and paged, and a
customer's page with their counts, tags, credit and points, codes, milestones and the
distance to the next ones. Agents see them too."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from milepost import Milepost


def paid(customer: str, order: str, total: int = 2500) -> dict:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def test_the_list_searches_by_id_and_pages(agent: TestClient, mp: Milepost, store: str):
    mp.ingest(store, [paid(f"cust-{i:03d}", f"o{i}") for i in range(60)] + [paid("zed", "oz")])
    url = f"/admin/{store}/customers"

    first = agent.get(url)
    assert first.status_code == 200
    ids = re.findall(r'/customers/(cust-\d+|zed)"', first.text)
    assert ids == [f"cust-{i:03d}" for i in range(50)]
    nxt = re.search(r'href="([^"]+after=[^"]+)"', first.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = agent.get(nxt)
    assert re.findall(r'/customers/(cust-\d+|zed)"', second.text) == [f"cust-{i:03d}" for i in range(50, 60)] + ["zed"]
    assert "Next page" not in second.text

    found = agent.get(url, params={"q": "cust-05"})
    assert re.findall(r'/customers/(cust-\d+)"', found.text) == [f"cust-05{i}" for i in range(10)]
    assert "No customer matches." in agent.get(url, params={"q": "nobody%_"}).text


def test_a_customers_page_shows_what_milepost_knows_of_them(admin: TestClient, mp: Milepost, store: str):
    mp.stores.update(store, points_per_unit=1)
    mp.order_count_events.create(
        store,
        count=3,
        name="Third order",
        actions=[{"type": "credit", "amount": 500}, {"type": "add_tag", "tag": "Regular"}],
    )
    mp.order_count_events.create(store, count=5, name="5-Order Club", actions=[{"type": "add_tag", "tag": "VIP"}])
    mp.programs.create(
        store,
        name="Welcome code",
        metric="order_count",
        threshold=1,
        actions=[{"type": "code", "discount": {"kind": "percentage", "percent": 10}}],
    )
    mp.ingest(store, [{"id": "p1", "type": "customer.created", "customer_id": "ada", "name": "Ada Lovelace"}])
    mp.ingest(store, [paid("ada", f"ada-o{i}") for i in range(3)])

    page = admin.get(f"/admin/{store}/customers/ada")

    assert page.status_code == 200
    text = text_of(page.text)
    assert "Ada Lovelace" in text and "Regular" in text
    assert "3 orders" in text and "$75.00 spent" in text and "$5.00 credit" in text and "75 points" in text
    assert "2 orders to 5-Order Club" in text  # the next milestone, and how far
    third = "Third order Order count event · version 1 ada-o2"
    assert f"{third} Credit the account done credited $5.00 Add tag done tagged 'Regular'" in text
    assert re.search(r"Discount codes .* [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4} 10% off valid never Welcome code", text)
    assert "Welcome code" in text


def test_customer_ids_are_escaped_and_unknown_ones_are_404(admin: TestClient, mp: Milepost, store: str):
    odd = '<script>alert("x")</script>/a b'
    mp.ingest(store, [paid(odd, "o1")])
    listing = admin.get(f"/admin/{store}/customers")
    assert "<script>alert" not in listing.text and "&lt;script&gt;" in listing.text
    href = re.search(r'href="(/admin/[^"]+/customers/[^"]+)"', listing.text).group(1)  # type: ignore[union-attr]
    page = admin.get(href.replace("&amp;", "&"))
    assert page.status_code == 200 and "<script>alert" not in page.text
    assert admin.get(f"/admin/{store}/customers/nobody-here").status_code == 404


def test_the_list_finds_a_customer_by_email_and_ids_by_exact_prefix(agent: TestClient, mp: Milepost, store: str):
    profile = {"type": "customer.created", "name": "Ada"}
    mp.ingest(
        store,
        [
            {**profile, "id": "p1", "customer_id": "c-1", "email": "ada@example.com"},
            {**profile, "id": "p2", "customer_id": "c-2", "email": "bob@example.com"},
            {**profile, "id": "p3", "customer_id": "C-3", "email": "ada@example.com"},
            {**profile, "id": "p4", "customer_id": "c_4"},
        ],
    )
    url = f"/admin/{store}/customers"
    ids = re.compile(r'/customers/([^"]+)"')
    assert ids.findall(agent.get(url, params={"q": " ADA@example.com "}).text) == ["C-3", "c-1"]
    assert ids.findall(agent.get(url, params={"q": "nobody@example.com"}).text) == []
    assert ids.findall(agent.get(url, params={"q": "c-"}).text) == ["C-3", "c-1", "c-2"]  # in any case
    assert ids.findall(agent.get(url, params={"q": "c_"}).text) == ["c_4"]  # _ is no wildcard
    assert agent.get(url, params={"q": "\U0010ffff"}).status_code == 200
    assert agent.get(url, params={"q": "x" * 5000}).status_code == 200


def test_a_customers_page_lists_the_messages_sent_about_them(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "thanks", subject="Thanks", body_text="Thank you")
    mp.users.create(agent_email := f"am-{uuid.uuid4().hex[:6]}@shop.example", "Am", "correct horse battery", "agent")
    mp.order_count_events.create(
        store,
        count=1,
        name="First",
        actions=[{"type": "send_email", "template": "thanks"}, {"type": "alert", "assignee": agent_email}],
    )
    mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "ada", "email": "ada@example.com"}])
    mp.ingest(store, [paid("ada", "o1"), paid("bob", "o2")])

    page = admin.get(f"/admin/{store}/customers/ada")
    messages = re.search(r'<section id="messages">(.*?)</section>', page.text, re.S).group(1)  # type: ignore[union-attr]
    text = text_of(messages)
    assert "email 'thanks'" in text and f"alert email to {agent_email}" in text and text.count("pending") == 2
    links = re.findall(r'href="(/admin/[^"]+/log/deliveries/\d+)"', messages)
    assert len(links) == 2
    bob = text_of(
        re.search(
            r'<section id="messages">(.*?)</section>', admin.get(f"/admin/{store}/customers/bob").text, re.S
        ).group(1)
    )  # type: ignore[union-attr]
    assert "alert email to" in bob and "email 'thanks'" in bob  # queued; skipped later, bob has no address
