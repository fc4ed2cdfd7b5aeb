"""The demo store's dashboard, on both backends: its charts of the last 30 days have a
shape (milestones and rewards on many days), not one spike on the day it was seeded."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.entrypoints.cli import demo_anniversary, demo_store


def test_the_demo_dashboard_charts_have_a_shape(mp: Milepost, admin: TestClient) -> None:
    # Given the demo seeded at the test clock's now (a second seed in the session changes nothing)
    demo_store.seed(mp)
    # When its dashboard is shown
    page = admin.get(f"/admin/{demo_store.STORE}")
    assert page.status_code == 200
    charts = re.search(r'<section id="charts">(.*?)</section>', page.text, re.S).group(1)  # type: ignore[union-attr]
    # Then the milestones chart, the first, has a bar on many of its 30 days
    milestones = charts.split('<svg class="chart"')[1]
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d): ([^<]+)</title>", milestones)
    assert len(days) == 30
    assert len([d for d, value in days if value != "0"]) >= 10, days


def test_the_demo_anniversary_automation_has_a_run_log(mp: Milepost, admin: TestClient) -> None:
    # Given the demo seeded at the test clock's now (2026-03-01 in New York)
    demo_store.seed(mp)
    store, key = demo_store.STORE, demo_anniversary.KEY
    # Then its automation ran each of the last seven days, today's customers in both branches
    runs = {r.day.isoformat(): r for r in mp.automations.runs(store, key)}
    assert sorted(runs) == [f"2026-02-{d}" for d in (23, 24, 25, 26, 27, 28)] + ["2026-03-01"]
    assert runs["2026-03-01"].branches == {"1-2 orders": 2, "3+ orders": 1}
    fired = {c.customer_id: c.branch for r in runs for c in mp.automations.run(store, key, runs[r].day)}
    assert fired == {"nora": "1-2 orders", "paula": "1-2 orders", "oscar": "3+ orders", "ravi": "1-2 orders",
                     "sofia": "3+ orders", "tomas": "1-2 orders"}  # fmt: skip
    # And the gift gave Nora a code from the pool, her tag and the email showing the code
    nora = mp.customers.get(store, "nora")
    (code,) = nora.codes
    assert code.code.code.startswith("YEAR1-") and "coupon_1year_anniversary" in nora.tags
    assert mp.aggregates.values(store, "nora") == {"orders_365d": 1}
    # And the admin shows the automation and its run log
    base = f"/admin/{store}/settings/automations"
    page = admin.get(f"{base}/{key}").text
    assert f'href="{base}/{key}/runs/2026-03-01"' in page and "1-2 orders: 2" in page
    day = admin.get(f"{base}/{key}/runs/2026-03-01").text
    assert f'href="/admin/{store}/customers/nora"' in day and "Record a custom event" in day
