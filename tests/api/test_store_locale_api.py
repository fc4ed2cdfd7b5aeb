"""A store's locale over HTTP, on both backends: GET and PATCH /api/v1/store show and change
it, an unknown one is refused as a problem, and a template preview writes the store's money
as its locale does. The API's own amounts stay minor units."""

from __future__ import annotations

from typing import Any

from admin_kit import assert_problem
from fastapi.testclient import TestClient

from milepost import Milepost

TEMPLATE = {"subject": "Credit", "body_text": "You have {{ reward.credit_amount|money(store.currency) }} to spend."}


def test_the_locale_shows_and_changes(client: TestClient, keys: Any) -> None:
    assert client.get("/api/v1/store", headers=keys.auth()).json()["locale"] == "en_US"

    r = client.patch("/api/v1/store", json={"locale": "de-de", "currency": "EUR"}, headers=keys.auth())

    assert r.status_code == 200 and r.json()["locale"] == "de_DE"  # written as Babel writes it
    assert client.get("/api/v1/store", headers=keys.auth()).json()["locale"] == "de_DE"


def test_an_unknown_locale_is_refused(client: TestClient, keys: Any) -> None:
    for typed in ("xx_XX", "not a locale", ""):
        body = assert_problem(client.patch("/api/v1/store", json={"locale": typed}, headers=keys.auth()), 422, "locale")
        reason = next(e["reason"] for e in body["errors"] if e["field"] == "locale")
        assert reason == f"must be a locale like en_US, de_DE or fr_FR, not {typed!r}"
    assert client.get("/api/v1/store", headers=keys.auth()).json()["locale"] == "en_US"


def preview(client: TestClient, keys: Any, mp: Milepost) -> str:
    assert client.put("/api/v1/templates/credit", json=TEMPLATE, headers=keys.auth()).status_code == 201
    mp.ingest(keys.store, [{"id": "p1", "type": "customer.created", "customer_id": "c1", "name": "Ada"}])
    r = client.post("/api/v1/templates/credit/preview", json={"customer_id": "c1"}, headers=keys.auth())
    assert r.status_code == 200, r.text
    return str(r.json()["text"])


def test_a_template_writes_money_as_the_store_s_locale_does(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.stores.update(keys.store, currency="EUR", locale="de_DE")
    mp.templates.save(keys.store, "shown", subject="x", body_text="{{ 1000|money(store.currency) }}")
    # the preview's sample reward is 0 credit; a saved template renders a literal amount too
    assert preview(client, keys, mp) == "You have 0,00\xa0€ to spend."
    shown = client.post("/api/v1/templates/shown/preview", json={"customer_id": "c1"}, headers=keys.auth())
    assert shown.json()["text"] == "10,00\xa0€"


def test_en_us_and_fr_fr_templates(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.templates.save(keys.store, "shown", subject="x", body_text="{{ 123450|money(store.currency) }}")
    mp.ingest(keys.store, [{"id": "p1", "type": "customer.created", "customer_id": "c1"}])

    def text() -> str:
        r = client.post("/api/v1/templates/shown/preview", json={"customer_id": "c1"}, headers=keys.auth())
        return str(r.json()["text"])

    assert text() == "$1,234.50"
    mp.stores.update(keys.store, currency="EUR", locale="fr_FR")
    assert text() == "1\u202f234,50\xa0€"  # Babel's fr_FR: a narrow no-break space between thousands
