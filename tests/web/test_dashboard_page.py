"""The dashboard through the admin UI, on both backends: the signed-in user's own alerts
first, everyone's open alerts, Acknowledge and Resolve with CSRF, and charts of the last
30 days in the store's own days."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_kit import PASSWORD, client_for, csrf, sign_in

from milepost import Milepost


def signed_in_agent(app: FastAPI, mp: Milepost) -> tuple[TestClient, str]:
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")
    client = client_for(app)
    assert sign_in(client, email).status_code == 303
    return client, email


def paid(mp: Milepost, store: str, customer: str, n: int, start: int = 0) -> None:
    events = [
        {"id": f"{customer}-e{i}", "type": "order.paid", "customer_id": customer, "order_id": f"{customer}-o{i}"}
        for i in range(start, start + n)
    ]
    assert mp.ingest(store, events).accepted == n


def section(html: str, name: str) -> str:
    return re.search(rf'<section id="{name}">(.*?)</section>', html, re.S).group(1)  # type: ignore[union-attr]


def test_an_agent_sees_their_own_alerts_first_and_handles_them(app: FastAPI, mp: Milepost, store: str):
    client, email = signed_in_agent(app, mp)
    mp.order_count_events.create(
        store,
        count=1,
        name="Welcome call",
        actions=[{"type": "alert", "message": "Call {customer}", "assignee": email}],
    )
    mp.order_count_events.create(store, count=2, name="Second", actions=[{"type": "alert"}])
    paid(mp, store, "ada", 2)

    page = client.get(f"/admin/{store}")
    assert page.status_code == 200
    yours = section(page.text, "yours")
    assert "Call ada" in yours and "reached 2 orders" not in yours
    everyone = section(page.text, "alerts")
    assert "Call ada" in everyone and "ada reached 2 orders: Second" in everyone and "anyone" in everyone

    mine = mp.alerts.list(store, assignee=email)[0]
    token = csrf(client, f"/admin/{store}")
    answer = client.post(f"/admin/{store}/alerts/{mine.id}/acknowledge", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == f"/admin/{store}"
    assert f'acknowledged</span> <small class="muted">by {email}' in section(
        client.get(f"/admin/{store}").text, "yours"
    )

    client.post(f"/admin/{store}/alerts/{mine.id}/resolve", data={"csrf_token": token})
    page = client.get(f"/admin/{store}").text
    assert "Nothing assigned to you." in section(page, "yours") and "Call ada" not in section(page, "alerts")
    (resolved,) = mp.alerts.list(store, status="resolved")
    assert resolved.resolved_by == email == resolved.acknowledged_by


def test_handling_an_alert_needs_the_forms_token_and_a_real_alert(app: FastAPI, mp: Milepost, store: str, admin):
    mp.order_count_events.create(store, count=1, name="One", actions=[{"type": "alert"}])
    paid(mp, store, "ada", 1)
    (alert,) = mp.alerts.list(store)
    assert admin.post(f"/admin/{store}/alerts/{alert.id}/resolve", data={}).status_code == 403
    assert admin.post(f"/admin/{store}/alerts/{alert.id}/resolve", data={"csrf_token": "forged"}).status_code == 403
    token = csrf(admin, f"/admin/{store}")
    assert admin.post(f"/admin/{store}/alerts/{alert.id}/snooze", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/admin/{store}/alerts/999999999/resolve", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/admin/{store}/alerts/x/resolve", data={"csrf_token": token}).status_code == 404
    other = f"other-{uuid.uuid4().hex[:8]}"
    mp.stores.create(other, "Other shop")
    assert admin.post(f"/admin/{other}/alerts/{alert.id}/resolve", data={"csrf_token": token}).status_code == 404
    assert mp.alerts.list(store)[0].status == "open"


def test_the_charts_count_per_day_of_the_store(app: FastAPI, mp: Milepost, admin: TestClient, clock):
    store = f"ny-{uuid.uuid4().hex[:8]}"
    mp.stores.create(store, "New York shop", timezone="America/New_York")
    mp.order_count_events.create(
        store,
        count=1,
        name="Welcome",
        actions=[
            {"type": "credit", "amount": 500},
            {"type": "points", "points": 40},
            {"type": "code", "discount": {"kind": "percentage", "percent": 10}},
        ],
    )
    clock.set(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))  # still Feb 28 in New York
    paid(mp, store, "early", 1)
    clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    paid(mp, store, "ada", 1)
    paid(mp, store, "bob", 1)

    activity = mp.reports.activity(store)
    by_day = {d.day.isoformat(): d for d in activity.days}
    assert len(activity.days) == 30 and activity.days[-1].day.isoformat() == "2026-03-01"
    assert (by_day["2026-02-28"].milestones, by_day["2026-03-01"].milestones) == (1, 2)
    assert (by_day["2026-03-01"].credit, by_day["2026-03-01"].points, by_day["2026-03-01"].codes) == (1000, 80, 2)
    assert activity.total("credit") == 1500 and activity.success_rate is None

    page = admin.get(f"/admin/{store}").text
    charts = section(page, "charts")
    assert charts.count('<svg class="chart"') == 5
    assert "<title>2026-02-28: 1</title>" in charts and "<title>2026-03-01: 2</title>" in charts
    assert "<title>2026-03-01: $10.00</title>" in charts and "$15.00" in charts
    assert "3 in 30 days" in charts and "120 points" in charts and "3 codes" in charts
    assert "no deliveries" in charts


def test_one_delivery_attempt_is_one_attempt_not_one_attempts(mp: Milepost, admin: TestClient, store: str):
    mp.templates.save(store, "hi", subject="Hi", body_text="Hello")
    mp.order_count_events.create(store, count=1, name="First", actions=[{"type": "send_email", "template": "hi"}])
    created = {
        "id": "p",
        "type": "customer.created",
        "customer_id": "ada",
        "email": "a@x.example",
        "email_consent": True,
    }
    assert mp.ingest(store, [created]).accepted == 1
    paid(mp, store, "ada", 1)
    worker = mp.worker(stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()
    charts = section(admin.get(f"/admin/{store}").text, "charts")
    assert "100.0% of 1 attempt</span>" in charts, charts
