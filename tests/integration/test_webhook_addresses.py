"""Webhooks are never posted to addresses that are not reachable from the internet: each
delivery is checked again by the worker (the relay's webhook channel), whatever was let
through when the endpoint was saved; a name that does not resolve now is tried again.
The worker runs for real; nothing listens at the addresses, and nothing is sent there."""

from __future__ import annotations

from milepost_kit import buy, drain, rule

from milepost import Milepost
from milepost.config import Settings
from support.addresses import NOT_PUBLIC


def test_each_delivery_to_an_address_that_is_not_public_is_refused_and_dead(mp: Milepost, store: str) -> None:
    # Given endpoints on every such address, saved while the operator allowed them
    mp.settings = Settings(webhooks_allow_private=True)
    urls = {mp.webhooks.create(store, url=url, event_types=["milestone.reached"])[0].id: url for url, _ in NOT_PUBLIC}
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)

    # When the worker delivers with the default settings
    drain(mp, store, webhooks_allow_private=False)

    # Then each delivery is dead at its first attempt, saying why
    deliveries = mp.deliveries.list(store, limit=1000)
    assert len(deliveries) == len(NOT_PUBLIC)
    errors = {urls[d.endpoint_id or 0]: d.last_error or "" for d in deliveries}
    for url, reason in NOT_PUBLIC:
        assert reason in errors[url] and "MILEPOST_WEBHOOKS_ALLOW_PRIVATE" in errors[url], (url, errors[url])
    assert {(d.status, d.attempts) for d in deliveries} == {("dead", 1)}


def test_a_name_that_does_not_resolve_is_saved_and_its_delivery_tried_again(mp: Milepost, store: str) -> None:
    mp.settings = Settings()  # the defaults: no private addresses
    mp.webhooks.create(store, url="https://hooks.example.invalid/milepost", event_types=["milestone.reached"])
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)

    drain(mp, store, webhooks_allow_private=False)

    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "pending" and "does not resolve" in (delivery.last_error or "")
