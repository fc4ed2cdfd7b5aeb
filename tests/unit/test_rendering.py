"""Email templates render in an immutable sandbox with strict undefined names."""

from __future__ import annotations

import pytest

from milepost.service.rendering import TemplateProblem, render

CONTEXT = {
    "customer": {"name": "Ada", "tags": ["VIP"], "credit_balance": 1050},
    "store": {"currency": "USD"},
}


def test_a_template_renders_its_three_parts_and_escapes_html_only() -> None:
    template = {
        "subject": "Hi {{ customer.name }},\n  thanks",
        "body_text": "Tags: {{ customer.tags|join(', ') }} <ok>",
        "body_html": "<p>{{ '<b>' }} {{ customer.credit_balance|money(store.currency) }}</p>",
    }

    out = render(template, CONTEXT)

    assert out.subject == "Hi Ada, thanks"  # one line
    assert out.text == "Tags: VIP <ok>"
    assert out.html == "<p>&lt;b&gt; $10.50</p>"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("line one\n{{ customer.nme }}", "line 2: 'dict object' has no attribute 'nme'"),
        ("{{ missing }}", "line 1: 'missing' is undefined"),
        ("{% if %}", "line 1: Expected an expression"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ customer.tags.append('x') }}", "unsafe"),
        ("{{ range(10**9)|list }}", "Range too big"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{{ customer.name|money('USD') }}", "money needs an integer"),
    ],
)
def test_a_template_that_cannot_render_names_the_part_the_line_and_the_reason(source: str, reason: str) -> None:
    with pytest.raises(TemplateProblem) as caught:
        render({"subject": "s", "body_text": source}, CONTEXT)

    assert reason in caught.value.problems["body_text"]
    assert str(caught.value).startswith("body_text: ")


def test_the_sandbox_leaves_the_context_unchanged() -> None:
    context = {"customer": {"tags": ["VIP"]}}
    with pytest.raises(TemplateProblem):
        render({"subject": "s", "body_text": "{{ customer.tags.pop() }}"}, context)
    assert context == {"customer": {"tags": ["VIP"]}}


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1050, "USD", "$10.50"),
        (500, "JPY", "¥500"),
        (-1234567, "EUR", "-€12,345.67"),
        (1001, "KWD", "1.001 KWD"),  # no sign for it in the locale: the amount, then the code
    ],
)
def test_money_is_shown_as_the_locale_writes_it(amount: int, currency: str, shown: str) -> None:
    """As the admin and the CLI show it, never "10.50 USD" where the locale has a sign."""
    template = {"subject": "s", "body_text": "{{ amount|money(currency) }}"}
    assert render(template, {"amount": amount, "currency": currency}).text == shown


@pytest.mark.parametrize(
    "source",
    ["{{ 'x' * 10**9 }}", "{{ 10**9 * 'x' }}", "{{ [0] * 200000 }}", "{{ 2 ** 1000 }}", "{{ ((9**99)**99)**99 }}"],
)
def test_templates_cannot_build_huge_values(source):
    """A live preview renders on every keystroke: a runaway `*` or `**` fails fast instead."""
    with pytest.raises(TemplateProblem) as caught:
        render({"subject": "s", "body_text": source}, {})
    assert "not allowed" in caught.value.problems["body_text"]


def test_ordinary_arithmetic_still_renders():
    rendered = render({"subject": "{{ '=' * 3 }}", "body_text": "{{ 2 ** 10 }} {{ 3 * 'ab' }} {{ 1.5 ** 2 }}"}, {})
    assert (rendered.subject, rendered.text) == ("===", "1024 ababab 2.25")
