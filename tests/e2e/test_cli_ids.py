"""Every CLI command that takes an id reads it as printed (`oce_9`) or as the bare number
(`9`), refuses another kind's id in one line (exit 2), and names ids prefixed in its errors."""

from __future__ import annotations

import pytest

from support.cli import MilepostCli as Milepost

UNKNOWN = 999_999_999

#: each command that takes an id: its words ({} stands for the id), and the id's prefix
COMMANDS = [
    (("events", "show", "{}"), "oce"),
    (("events", "update", "{}", "--name", "N"), "oce"),
    (("events", "enable", "{}"), "oce"),
    (("events", "disable", "{}"), "oce"),
    (("events", "delete", "{}", "--yes"), "oce"),
    (("programs", "show", "{}"), "prg"),
    (("programs", "update", "{}", "--name", "N"), "prg"),
    (("programs", "delete", "{}", "--yes"), "prg"),
    (("alerts", "ack", "{}", "--by", "ann"), "alr"),
    (("alerts", "resolve", "{}", "--by", "ann"), "alr"),
    (("keys", "revoke", "{}"), "key"),
    (("deliveries", "show", "{}"), "dlv"),
    (("deliveries", "retry", "{}"), "dlv"),
    (("mailbox", "show", "{}"), "msg"),
    (("webhooks", "show", "{}"), "whe"),
    (("webhooks", "update", "{}", "--description", "x"), "whe"),
    (("webhooks", "secret", "{}"), "whe"),
    (("webhooks", "rotate-secret", "{}"), "whe"),
    (("webhooks", "delete", "{}", "--yes"), "whe"),
]
#: options that filter by an id: unknown ids find nothing
FILTERS = [
    (("milestones", "log", "--event", "{}"), "oce"),
    (("milestones", "log", "--before", "{}"), "mst"),
]


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    mp = Milepost(tmp_path_factory.mktemp("ids"))
    mp("stores", "create", "shop", "--name", "Shop")
    return mp


def _name(x: object) -> str:
    return " ".join(x) if isinstance(x, tuple) else str(x)


def _run(milepost: Milepost, words: tuple[str, ...], value: str, expect: int) -> str:
    done = milepost(*(w.format(value) for w in words), "--store", "shop", expect=expect)
    return done.stderr


@pytest.mark.parametrize(("words", "prefix"), COMMANDS, ids=_name)
def test_an_id_is_read_with_its_prefix_or_bare_and_errors_name_it_prefixed(
    milepost: Milepost, words: tuple[str, ...], prefix: str
) -> None:
    for given in (f"{prefix}_{UNKNOWN}", str(UNKNOWN)):
        said = _run(milepost, words, given, expect=2)
        assert said.startswith("error: ") and said.count("\n") == 1, said
        assert f"{prefix}_{UNKNOWN}" in said, said  # not found, named as printed


@pytest.mark.parametrize(("words", "prefix"), COMMANDS + FILTERS, ids=_name)
def test_another_kinds_id_is_refused_in_one_line(milepost: Milepost, words: tuple[str, ...], prefix: str) -> None:
    other = "dlv" if prefix != "dlv" else "oce"

    said = _run(milepost, words, f"{other}_9", expect=2)

    assert said.startswith(f"error: {other}_9 is a") and said.count("\n") == 1, said
    assert f"like {prefix}_9, or 9" in said


@pytest.mark.parametrize(("words", "prefix"), FILTERS, ids=_name)
def test_a_filter_takes_either_spelling(milepost: Milepost, words: tuple[str, ...], prefix: str) -> None:
    for given in (f"{prefix}_{UNKNOWN}", str(UNKNOWN)):
        _run(milepost, words, given, expect=0)


def test_ids_are_printed_with_their_prefix(milepost: Milepost) -> None:
    created = milepost.json("events", "create", "--store", "shop", "--count", "3", "--name", "Third", "--alert")
    number = created["id"].removeprefix("oce_")

    assert created["id"] == f"oce_{number}"
    assert f"oce_{number}" in milepost("events", "list", "--store", "shop").stdout
    assert milepost("events", "disable", number, "--store", "shop").stdout.startswith(
        f"disabled order count event oce_{number}"
    )
    shown = milepost.json("events", "show", f"oce_{number}", "--store", "shop")
    assert shown["id"] == created["id"] and shown["active"] is False
    [program] = [
        p for p in milepost.json("programs", "list", "--store", "shop") if p["order_count_event_id"] == created["id"]
    ]
    assert program["id"] == f"prg_{number}"
