"""No input makes an admin page answer 500: every page reachable from a store's
dashboard is crawled (as an Administrator, with one of everything in the store), and
every form found is posted with values Hypothesis draws (empty, huge, negative, NaN,
NUL, odd Unicode, odd dates and URLs) next to a valid CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_kit import PASSWORD, client_for, sign_in

from milepost import Milepost
from milepost.config import Settings

ADMIN = "fuzz-admin@shop.example"
#: Forms that would remove what the other forms work on, or end the crawler's session.
SKIPPED = ("/logout", "/delete", "/revoke", "/rotate", "/password")

odd_text = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e999999",
            "NaN",
            "-Infinity",
            "99999999999999999999999999",
            "10.005",
            "2026-02-30T25:61",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "http://[::1",
            "javascript:alert(1)",
            "{{ 'x' * 10**9 }}",
            "{% for %}",
            "!",
            "a@b",
            "\x00",
            "x" * 5000,
            "é🙂\u202e",
            "on",
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def _forms(html: str, base: str) -> Iterator[tuple[str, list[str]]]:
    """(action URL, field names) of every POST form on the page."""
    for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", html, re.S):
        if 'method="post"' not in attrs:
            continue
        action = re.search(r'action="([^"]*)"', attrs)
        url = urljoin(base, unescape(action.group(1))) if action else base
        names = sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', body)) - {"csrf_token"})
        yield urlsplit(url).path, names


def _links(html: str, base: str, prefix: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)"', html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.path.startswith(prefix) and "/static/" not in parts.path:
            found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture
def rich_store(mp: Milepost, store: str) -> str:
    """A store with one of everything the admin UI shows."""
    mp.templates.save(store, "vip", subject="Hi {{ customer.name }}", body_text="Thanks")
    mp.order_count_events.create(
        store,
        count=1,
        name="First",
        actions=[
            {"type": "send_email", "template": "vip"},
            {"type": "credit", "amount": 500},
            {"type": "alert"},
            {"type": "add_tag", "tag": "first"},
        ],
    )
    mp.programs.create(
        store, name="Big spender", metric="amount_spent", threshold=5000, actions=[{"type": "points", "points": 10}]
    )
    mp.programs.create_journey(
        store,
        name="Journey",
        steps=[{"metric": "order_count"}, {"metric": "review_count"}],
        actions=[{"type": "alert"}],
    )
    mp.programs.create_inactivity(store, name="Lapsed", days=90, actions=[{"type": "add_tag", "tag": "lapsed"}])
    mp.keys.create(store, "ingest", "shop")
    mp.settings = Settings(webhooks_allow_private=True)  # no DNS in tests: a loopback receiver
    mp.webhooks.create(store, url="http://127.0.0.1:9/milepost", event_types=["milestone.reached"])
    mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "ada", "email": "ada@example.com"}])
    mp.ingest(store, [{"id": "o", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 9000}])
    return store


def test_no_form_input_makes_a_page_answer_500(app: FastAPI, mp: Milepost, rich_store: str):
    if not any(u.email == ADMIN for u in mp.users.list()):
        mp.users.create(ADMIN, "Fuzz Admin", PASSWORD, "administrator")
    client = client_for(app)
    assert sign_in(client, ADMIN).status_code == 303
    prefix = f"/admin/{rich_store}"

    # Crawl: every page a link reaches, each answering without a server error
    seen: set[str] = set()
    todo = [prefix]
    forms: dict[str, tuple[str, list[str]]] = {}
    while todo and len(seen) < 150:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url)
        assert page.status_code < 500, (url, page.status_code)
        if page.status_code != 200:
            continue
        for action, names in _forms(page.text, url):
            if not action.endswith(SKIPPED):
                forms.setdefault(action, (url, names))
        todo.extend(_links(page.text, url, "/admin/") - seen)
    assert len(seen) > 20 and len(forms) > 10, (sorted(seen), sorted(forms))

    @settings(max_examples=12, suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.data())
    def post_everything(data: st.DataObject) -> None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(prefix).text)
        if token is None:  # a form ended the session (a role change): sign in again
            assert sign_in(client, ADMIN).status_code == 303
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(prefix).text)
        for action, (_, names) in forms.items():
            values = {n: data.draw(odd_text, label=f"{action} {n}") for n in names}
            answer = client.post(action, data={"csrf_token": token.group(1), **values})  # type: ignore[union-attr]
            assert answer.status_code < 500, (action, values, answer.status_code)

    post_everything()
