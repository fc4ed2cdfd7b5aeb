"""Templates are checked when saved and previewed for a real customer."""

from __future__ import annotations

import pytest

from milepost import Milepost
from milepost.errors import NotFound, ValidationError


def test_a_template_that_does_not_render_for_the_sample_customer_is_refused(mp: Milepost, store: str) -> None:
    with pytest.raises(ValidationError) as caught:
        mp.templates.save(store, "vip", subject="Hi", body_text="Dear {{ customer.name }},\n{{ customer.nickname }}")

    assert caught.value.problems == {"body_text": "line 2: 'dict object' has no attribute 'nickname'"}
    with pytest.raises(NotFound):
        mp.templates.get(store, "vip")


def test_every_documented_variable_renders_for_the_sample_customer(mp: Milepost, store: str) -> None:
    body = (
        "{{ customer.name }} {{ customer.email }} {{ customer.order_count }} {{ customer.amount_spent }} "
        "{{ customer.credit_balance|money(store.currency) }} {{ customer.points }} {{ customer.tags|join(',') }} "
        "{{ milestone.name }} {{ milestone.count }} {{ order.id }} {{ order.total|money(order.currency) }} "
        "{{ store.name }} {{ store.key }} {{ reward.credit_amount|money(store.currency) }} {{ reward.coupon_code }}"
    )
    mp.templates.save(store, "all", subject="{{ customer.name }}", body_text=body, body_html="<p>" + body + "</p>")

    assert mp.templates.get(store, "all")["body_text"] == body


def test_a_preview_renders_for_the_chosen_customer_with_their_last_milestone(mp: Milepost, store: str) -> None:
    mp.templates.save(
        store,
        "vip",
        subject="{{ customer.name }}, {{ milestone.name }}!",
        body_text="{{ customer.order_count }} orders, {{ reward.credit_amount|money(store.currency) }} credit",
        body_html="<b>{{ customer.name }}</b>",
    )
    mp.order_count_events.create(
        store, count=2, name="Second order", actions=[{"type": "credit", "amount": 750, "currency": "USD"}]
    )
    events = [
        {"id": "p", "type": "customer.updated", "customer_id": "c1", "name": "Grace <Hopper>"},
        *({"id": f"e{i}", "type": "order.paid", "customer_id": "c1", "order_id": f"o{i}"} for i in range(2)),
    ]
    mp.ingest(store, events)

    out = mp.templates.preview(store, "vip", "c1")

    assert out.subject == "Grace <Hopper>, Second order!"
    assert out.text == "2 orders, $7.50 credit"
    assert out.html == "<b>Grace &lt;Hopper&gt;</b>"
    with pytest.raises(NotFound):
        mp.templates.preview(store, "vip", "nobody")
