"""Coupon pools in a real browser, on both backends: an Administrator creates a pool from
Settings, uploads a CSV file of codes with a bad row (nothing imported, the row named by
its line), then the fixed file, and sees the pool's codes counted."""

from __future__ import annotations

from pathlib import Path

from browser_kit import sign_in
from playwright.sync_api import Page, expect

from milepost import Milepost


def test_an_administrator_creates_a_pool_and_imports_codes(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path, tmp_path: Path
) -> None:
    sign_in(page, live_url, f"/admin/{store}", administrator)
    page.get_by_role("link", name="Coupon Pools").click()
    expect(page.get_by_role("heading", name="Coupon pools")).to_be_visible()
    page.get_by_label("Key").fill("spring")
    page.get_by_label("Name").fill("Spring sale")
    page.get_by_label("Discount").select_option("fixed_amount")
    page.get_by_label("Amount off").fill("12.50")
    page.get_by_label("Low-stock threshold").fill("3")
    page.get_by_role("button", name="Create pool").click()
    expect(page.get_by_role("heading", name="Spring sale")).to_be_visible()
    assert mp.pools.get(store, "spring").discount.amount == 1250

    bad = tmp_path / "bad.csv"
    bad.write_text("code\nSPR-0001\nSPR-0001\nSPR-0002\n")
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Import codes").click()
    expect(page.locator(".bad-rows")).to_contain_text("line 3: SPR-0001 is a duplicate of line 2")
    assert mp.pools.get(store, "spring").total == 0  # nothing imported

    good = tmp_path / "good.csv"
    good.write_text("code\nSPR-0001\nSPR-0002\nSPR-0003\nSPR-0004\n")
    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Import codes").click()
    expect(page.locator(".pool-counts .total")).to_have_text("4")
    expect(page.locator(".pool-counts .left")).to_have_text("4")
    page.get_by_role("link", name="Coupon pools", exact=True).click()
    row = page.locator('tr[data-pool="spring"]')
    expect(row).to_contain_text("$12.50 off")
    expect(row.locator(".low")).to_have_count(0)
    page.screenshot(path=shots / "pools.png", full_page=True)
