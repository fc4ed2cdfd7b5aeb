"""The ledger is one mechanism with a unit: every unit has its book in the service, its
commands in the CLI and its routes in the HTTP API, and an unknown unit is refused."""

from __future__ import annotations

import pytest

from milepost.entrypoints.cli import ledgers as cli
from milepost.entrypoints.http import ledgers as http
from milepost.errors import ValidationError
from milepost.service import ledger


def test_every_unit_has_its_book() -> None:
    assert ledger.UNITS == ("credit", "points")
    assert [ledger.book(unit).unit for unit in ledger.UNITS] == list(ledger.UNITS)


def test_an_unknown_unit_is_refused_naming_the_unit() -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.book("euros")
    assert "unit" in str(refused.value)


def test_the_cli_and_the_http_api_have_one_set_per_unit() -> None:
    assert (cli.CREDIT.name, cli.POINTS.name) == ledger.UNITS
    assert (http.CREDIT.name, http.POINTS.name) == ledger.UNITS
    assert set(cli.credit.commands) == {"spend", "adjust"}
    assert set(cli.points.commands) == {"spend", "adjust", "ledger", "expire"}
