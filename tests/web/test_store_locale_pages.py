"""A store's locale in the admin UI, on both backends: chosen when the store is created and
on Settings > Store (an unknown one refused next to its field), and the store's money on its
pages written as that locale does: $10.00 in en_US, 10,00 € in de_DE and fr_FR."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost

SETTINGS = "/admin/{store}/settings/store"


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else ""


def spent(mp: Milepost, store: str, total: int) -> str:
    """Customer ada's page after one order of `total` minor units: its text."""
    order = {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": total}
    assert mp.ingest(store, [order]).accepted == 1
    return f"/admin/{store}/customers/ada"


def test_a_de_de_store_shows_its_money_as_germans_write_it(admin: TestClient, mp: Milepost, store: str):
    mp.stores.update(store, currency="EUR", locale="de_DE")
    page = admin.get(spent(mp, store, 1000))
    assert page.status_code == 200
    assert "<b>10,00\xa0€</b><span>spent</span>" in page.text
    assert "€10.00" not in page.text


def test_an_en_us_store_shows_dollars_and_fr_fr_euros(admin: TestClient, mp: Milepost, store: str):
    assert "<b>$1,234.50</b><span>spent</span>" in admin.get(spent(mp, store, 123450)).text
    lyon = mp.stores.create(f"s-{uuid.uuid4().hex[:10]}", "Lyon", currency="EUR", locale="fr_FR").key
    # Babel's fr_FR: a narrow no-break space between thousands, a no-break space before the sign
    assert "<b>1\u202f234,50\xa0€</b><span>spent</span>" in admin.get(spent(mp, lyon, 123450)).text
    mp.stores.update(store, locale="fr_FR")  # fr_FR has no sign of its own for dollars
    assert "<b>1\u202f234,50 USD</b><span>spent</span>" in admin.get(f"/admin/{store}/customers/ada").text


def test_the_list_of_stores_shows_each_store_s_money_in_its_own_locale(admin: TestClient, mp: Milepost, store: str):
    other = mp.stores.create(f"s-{uuid.uuid4().hex[:10]}", "Berlin", currency="EUR", locale="de_DE").key
    page = admin.get("/admin/").text
    found = re.search(rf'data-store="{other}">(.*?)</li>', page, re.S)
    assert found and "0,00\xa0€" in found.group(1)


def test_the_locale_is_chosen_when_a_store_is_created(admin: TestClient, mp: Milepost):
    page = admin.get("/admin/stores/new").text
    assert '<option value="de_DE"' in page and "de_DE: Deutsch (Deutschland), 1.234,50\xa0€" in page
    key = f"s-{uuid.uuid4().hex[:10]}"
    form = {
        "key": key,
        "name": "Lyon",
        "currency": "EUR",
        "locale": "fr_FR",
        "timezone": "UTC",
        "counting_status": "paid",
    }
    r = admin.post("/admin/stores/new", data={"csrf_token": csrf(admin, "/admin/stores/new"), **form})
    assert r.status_code == 303 and mp.stores.get(key).locale == "fr_FR"

    bad = {**form, "key": f"s-{uuid.uuid4().hex[:10]}", "locale": "xx_XX"}
    r = admin.post("/admin/stores/new", data={"csrf_token": csrf(admin, "/admin/stores/new"), **bad})
    assert r.status_code == 400
    assert error_of(r.text, "locale") == "must be a locale like en_US, de_DE or fr_FR, not 'xx_XX'"


def test_settings_change_the_locale_and_refuse_an_unknown_one(admin: TestClient, mp: Milepost, store: str):
    url = SETTINGS.format(store=store)
    page = admin.get(url).text
    assert '<option value="en_US" selected>' in page.replace('"  selected', '" selected')
    form = {
        "name": "Shop",
        "currency": "EUR",
        "timezone": "UTC",
        "counting_status": "paid",
        "milestone_emails": "marketing",
    }

    r = admin.post(url, data={"csrf_token": csrf(admin, url), **form, "locale": "de_DE"})

    assert r.status_code == 303 and mp.stores.get(store).locale == "de_DE"
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **form, "locale": "klingon"})
    assert r.status_code == 400
    assert error_of(r.text, "locale") == "must be a locale like en_US, de_DE or fr_FR, not 'klingon'"
    assert mp.stores.get(store).locale == "de_DE"
    # a form without the field keeps the locale
    assert admin.post(url, data={"csrf_token": csrf(admin, url), **form}).status_code == 303
    assert mp.stores.get(store).locale == "de_DE"


def test_programs_show_their_amounts_in_the_store_s_locale(admin: TestClient, mp: Milepost, store: str):
    mp.stores.update(store, currency="EUR", locale="de_DE")
    actions = [{"type": "credit", "amount": 1000}]
    mp.programs.create(store, name="Big spender", metric="amount_spent", threshold=50000, every=10000, actions=actions)

    page = admin.get(f"/admin/{store}/settings/programs").text

    assert "Amount spent ≥ 500,00\xa0€" in page and "Again every 100,00\xa0€" in page
    assert "credit 10,00\xa0€" in page
