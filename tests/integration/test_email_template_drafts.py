"""A template not saved yet (an editor's draft) previewed for a real customer, or for the
sample customer, through the Python API."""

from __future__ import annotations

import pytest

from milepost import Milepost
from milepost.errors import NotFound
from milepost.service.rendering import TemplateProblem


def test_a_draft_renders_for_the_chosen_customer_with_their_last_milestone(mp: Milepost, store: str) -> None:
    mp.order_count_events.create(
        store, count=2, name="Second order", actions=[{"type": "credit", "amount": 750, "currency": "USD"}]
    )
    events = [
        {"id": "p", "type": "customer.updated", "customer_id": "c1", "name": "Grace <Hopper>"},
        *({"id": f"e{i}", "type": "order.paid", "customer_id": "c1", "order_id": f"o{i}"} for i in range(2)),
    ]
    mp.ingest(store, events)

    out = mp.templates.preview_draft(
        store,
        subject="{{ customer.name }}, {{ milestone.name }}!",
        body_text="{{ reward.credit_amount|money(store.currency) }} credit",
        body_html="<b>{{ customer.name }}</b>",
        customer_id="c1",
    )

    assert out == ("Grace <Hopper>, Second order!", "$7.50 credit", "<b>Grace &lt;Hopper&gt;</b>")
    assert mp.templates.list(store) == []  # a draft is not saved


def test_without_a_customer_a_draft_renders_for_the_sample_customer(mp: Milepost, store: str) -> None:
    out = mp.templates.preview_draft(store, subject="Hi {{ customer.name }}", body_text="{{ reward.coupon_code }}")

    assert out == ("Hi Ada Lovelace", "SAMPLE-CODE", None)


def test_an_unknown_customer_and_a_draft_that_does_not_render_are_refused(mp: Milepost, store: str) -> None:
    with pytest.raises(NotFound):
        mp.templates.preview_draft(store, subject="Hi", body_text="Thanks", customer_id="nobody")

    with pytest.raises(TemplateProblem) as caught:
        mp.templates.preview_draft(
            store, subject="Hi", body_text="Thanks", body_html="<p>\n{{ customer.__class__ }}</p>"
        )

    assert caught.value.problems == {"body_html": "line 2: access to attribute '__class__' of 'dict' object is unsafe."}
