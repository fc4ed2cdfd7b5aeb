"""A store's aggregates in message templates, through `mp.*` on SQLite and PostgreSQL:
`{{ aggregates.<key> }}` shows the customer's value as of the day the message is composed
(what a daily automation's branch read that day); a template naming an aggregate the store
does not define is refused on save, with the line and the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from milepost_kit import drain
from test_automations import customer, order, shop, smtp

from milepost import Milepost
from milepost.service.rendering import TemplateProblem
from support.automations import anniversary
from support.smtp import SmtpSink

THANKS = "Thanks, {{ customer.name }}: {{ aggregates.orders_365d }} orders this year."


def test_the_thank_you_email_says_how_many_orders_the_year_had(mp: Milepost, clock):
    store = shop(mp, codes=0)
    mp.templates.save(store, "anniversary_thanks", subject="Thank you", body_text=THANKS)
    customer(mp, store, "three")
    for i, at in enumerate(("2025-03-01T10:00:00Z", "2025-06-01T10:00:00Z", "2026-01-10T10:00:00Z")):
        order(mp, store, "three", f"t{i}", at)
    order(mp, store, "three", "today", "2026-03-01T08:00:00Z")  # today's order: not a whole day before
    mp.automations.create(store, anniversary())
    mp.sweeps.run_daily([store], date(2026, 3, 1))

    clock.set(datetime(2026, 3, 1, 9, tzinfo=UTC))
    with SmtpSink() as server:
        assert drain(mp, store, **smtp(server.port)) == 1
    (mail,) = server.messages
    assert mail.get_content().strip() == "Thanks, Customer three: 3 orders this year."
    preview = mp.templates.preview(store, "anniversary_thanks", "three")
    assert preview.text.strip() == "Thanks, Customer three: 3 orders this year."


def test_a_template_naming_an_aggregate_the_store_does_not_have_is_refused(mp: Milepost):
    store = shop(mp, codes=0)
    with pytest.raises(TemplateProblem, match="orders_30d"):
        mp.templates.save(store, "recent", subject="Hi", body_text="{{ aggregates.orders_30d }} orders")
    draft = mp.templates.preview_draft(store, subject="Hi", body_text="{{ aggregates.orders_365d }}")
    assert draft.text.strip() == "2"  # the sample customer's value
