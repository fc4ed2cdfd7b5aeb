"""`milepost webhooks ...` through the real command (support/cli.py) on a SQLite file in a temporary directory:
register, list, show, update, rotate the secret, read it, delete; refusals exit 2 with one line."""

from __future__ import annotations

import uuid

import pytest

from support.cli import MilepostCli as Milepost

URL = "https://1.1.1.1/milepost"  # a public address: no DNS needed, never called here


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    mp = Milepost(tmp_path_factory.mktemp("milepost"))
    mp("stores", "create", "shop", "--name", "Shop")
    return mp


def add(milepost: Milepost, *args: str) -> dict[str, object]:
    created = milepost.json("webhooks", "add", f"{URL}/{uuid.uuid4().hex[:8]}", "--store", "shop", *args)
    assert isinstance(created, dict)
    return created


def test_an_endpoint_is_added_with_its_secret_and_listed_without_it(milepost: Milepost) -> None:
    url = f"{URL}/{uuid.uuid4().hex[:8]}"

    flags = ("--event", "milestone.reached", "--event", "alert.created", "--description", "CRM")
    out = milepost("webhooks", "add", url, "--store", "shop", *flags).stdout

    assert "created webhook endpoint whe_" in out and url in out and "whsec_" in out
    [endpoint] = [e for e in milepost.json("webhooks", "list", "--store", "shop") if e["url"] == url]
    assert endpoint["event_types"] == ["milestone.reached", "alert.created"] and endpoint["description"] == "CRM"
    assert endpoint["enabled"] is True and endpoint["id"].startswith("whe_")
    listed = milepost("webhooks", "list", "--store", "shop").stdout
    assert endpoint["id"] in listed and url in listed and "whsec_" not in listed
    shown = milepost("webhooks", "show", endpoint["id"], "--store", "shop").stdout
    assert url in shown and "milestone.reached, alert.created" in shown and "whsec_" not in shown
    assert milepost.json("webhooks", "show", endpoint["id"].removeprefix("whe_"), "--store", "shop") == endpoint


def test_the_secret_is_printed_alone_and_rotation_keeps_the_old_one_for_a_day(milepost: Milepost) -> None:
    created = add(milepost)
    assert str(created["secret"]).startswith("whsec_")
    endpoint_id = str(created["id"])

    assert milepost("webhooks", "secret", endpoint_id, "--store", "shop").stdout == f"{created['secret']}\n"
    rotated = milepost.json("webhooks", "rotate-secret", endpoint_id, "--store", "shop")
    assert isinstance(rotated, dict) and rotated["secret"] != created["secret"]
    assert milepost("webhooks", "secret", endpoint_id, "--store", "shop").stdout == f"{rotated['secret']}\n"
    said = milepost("webhooks", "rotate-secret", endpoint_id, "--store", "shop").stdout
    assert "24 hours" in said and "whsec_" in said
    current = milepost.json("webhooks", "secret", endpoint_id, "--store", "shop")
    assert isinstance(current, dict) and current["id"] == endpoint_id
    assert f"\n    {current['secret']}\n" in said and current["secret"] != rotated["secret"]


def test_an_endpoint_is_updated_disabled_and_enabled(milepost: Milepost) -> None:
    endpoint_id = str(add(milepost, "--event", "milestone.reached")["id"])
    new_url = f"{URL}/{uuid.uuid4().hex[:8]}"

    flags = ("--url", new_url, "--event", "customer.rewarded", "--description", "billing", "--disable")
    changed = milepost.json("webhooks", "update", endpoint_id, "--store", "shop", *flags)

    assert isinstance(changed, dict)
    assert changed["url"] == new_url and changed["event_types"] == ["customer.rewarded"]
    assert changed["description"] == "billing" and changed["enabled"] is False
    assert changed["disabled_reason"] == "disabled by an operator"
    said = milepost("webhooks", "update", endpoint_id, "--store", "shop", "--enable", "--no-events").stdout
    assert f"updated webhook endpoint {endpoint_id}" in said and "enabled" in said
    again = milepost.json("webhooks", "show", endpoint_id, "--store", "shop")
    assert isinstance(again, dict) and again["enabled"] is True and again["event_types"] == []
    refused = milepost(
        "webhooks", "update", endpoint_id, "--store", "shop", "--event", "alert.created", "--no-events", expect=2
    )
    assert "not both" in refused.stderr


def test_delete_asks_unless_yes(milepost: Milepost) -> None:
    endpoint_id = str(add(milepost)["id"])

    milepost("webhooks", "delete", endpoint_id, "--store", "shop", stdin="n\n", expect=1)
    milepost("webhooks", "show", endpoint_id, "--store", "shop")
    assert "deleted" in milepost("webhooks", "delete", endpoint_id, "--store", "shop", stdin="y\n").stdout

    gone = milepost("webhooks", "show", endpoint_id, "--store", "shop", expect=2)
    assert gone.stderr.startswith("error: ") and "no webhook endpoint" in gone.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("add", "http://127.0.0.1:9/hook"), "MILEPOST_WEBHOOKS_ALLOW_PRIVATE"),
        (("add", "http://100.100.100.200/latest/meta-data/"), "a shared address"),
        (("add", "http://[2002:7f00:1::1]/"), "which carries 127.0.0.1, a loopback address"),
        (("add", "ftp://1.1.1.1/hook"), "http or https"),
        (("add", URL, "--event", "order.shipped"), "order.shipped"),
        (("show", "oce_1"), "oce_1 is an order count event id, not a webhook endpoint id"),
        (("secret", "whe_999999999"), "no webhook endpoint"),
        (("rotate-secret", "999999999"), "no webhook endpoint"),
        (("delete", "whe_999999999", "--yes"), "no webhook endpoint"),
    ],
)
def test_refusals_exit_2_with_one_line(milepost: Milepost, args: tuple[str, ...], said: str) -> None:
    done = milepost("webhooks", *args, "--store", "shop", expect=2)

    assert said in done.stderr


@pytest.mark.parametrize("url", ["https://example.com/hooks", "https://hooks.example.invalid/hooks"])
def test_readmes_example_adds_an_endpoint_without_the_network(milepost: Milepost, url: str) -> None:
    """README's `webhooks add https://example.com/hooks`: the name is not looked up when it is
    added (CI has no network; `.invalid` never resolves anywhere), only before each delivery."""
    out = milepost("webhooks", "add", url, "--event", "milestone.reached", "--store", "shop").stdout

    assert "created webhook endpoint whe_" in out and url in out and "whsec_" in out


def test_a_duplicate_url_and_an_endpoint_an_event_sends_to_are_refused(milepost: Milepost) -> None:
    url = f"{URL}/{uuid.uuid4().hex[:8]}"
    milepost("events", "create", "--store", "shop", "--count", "3", "--name", "Hooked", "--webhook", url)
    [endpoint] = [e for e in milepost.json("webhooks", "list", "--store", "shop") if e["url"] == url]

    taken = milepost("webhooks", "add", url, "--store", "shop", expect=2)
    used = milepost("webhooks", "delete", endpoint["id"], "--store", "shop", "--yes", expect=2)

    assert "already has the URL" in taken.stderr
    assert used.stderr.startswith("error: ") and "Hooked" in used.stderr
