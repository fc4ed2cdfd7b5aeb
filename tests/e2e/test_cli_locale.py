"""A store's locale on the command line, through the real command (support/cli.py) on every backend: `stores
create|update --locale`, an unknown one refused in one line, and `customers show` writing
the store's money as its locale does. `--json` keeps minor units."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from support.cli import MilepostCli as Milepost


def shop(database_url: str, tmp_path: Path, *options: str) -> tuple[Milepost, str]:
    mp, store = Milepost(tmp_path, MILEPOST_DATABASE_URL=database_url), f"l-{uuid.uuid4().hex[:10]}"
    mp("stores", "create", store, "--name", "Locale shop", *options)
    return mp, store


def spent(mp: Milepost, store: str, tmp_path: Path, total: int) -> str:
    """Customer ada after one order of `total` minor units, as `customers show` prints her."""
    orders = tmp_path / "orders.jsonl"
    order = {"id": "e1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": total}
    orders.write_text(json.dumps(order) + "\n")
    mp("ingest", str(orders), "--store", store)
    return str(mp("customers", "show", "ada", "--store", store).stdout)


def test_a_de_de_store_prints_german_euros(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path, "--currency", "EUR", "--locale", "de_DE")
    assert mp.json("stores", "show", store, "--json")["locale"] == "de_DE"

    shown = spent(mp, store, tmp_path, 1000)

    assert "10,00\xa0€" in shown and "€10.00" not in shown
    assert mp.json("customers", "show", "ada", "--store", store, "--json")["amount_spent"] == 1000


def test_en_us_prints_dollars_and_fr_fr_euros(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path)
    assert "$1,234.50" in spent(mp, store, tmp_path, 123450)
    mp, lyon = shop(database_url, tmp_path, "--currency", "EUR", "--locale", "fr_FR")
    assert "1\u202f234,50\xa0€" in spent(mp, lyon, tmp_path, 123450)  # as Babel writes fr_FR


def test_the_locale_changes_and_an_unknown_one_is_refused(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path)
    refused = mp("stores", "update", store, "--locale", "xx_XX", expect=2)
    assert refused.stderr.startswith("error: ") and "must be a locale like en_US, de_DE or fr_FR" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    new = f"l-{uuid.uuid4().hex[:10]}"
    refused = mp("stores", "create", new, "--name", "x", "--locale", "nope", expect=2)
    assert "must be a locale like" in refused.stderr and len(refused.stderr.splitlines()) == 1

    assert mp.json("stores", "update", store, "--locale", "en-gb", "--json")["locale"] == "en_GB"


def test_a_decimal_comma_is_refused_in_words_a_german_shop_understands(database_url: str, tmp_path: Path) -> None:
    mp, store = shop(database_url, tmp_path, "--currency", "EUR", "--locale", "de_DE")
    refused = mp("events", "create", "--store", store, "--count", "3", "--name", "x", "--credit", "12,50", expect=2)
    assert refused.stderr == (
        "error: --credit '12,50' must be an amount like 10.00 EUR: a point before the decimals, commas only "
        "between thousands (12.50, not 12,50, whatever the store's locale)\n"
    )
    said = mp("events", "create", "--store", store, "--count", "3", "--name", "x", "--credit", "12.50").stdout
    assert "credit 12,50\xa0€" in said
