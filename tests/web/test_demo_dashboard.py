"""The demo store's dashboard, on both backends: its charts of the last 30 days have a
shape (milestones and rewards on many days), not one spike on the day it was seeded."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.entrypoints.cli import demo_store


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
