"""The Logs pages of the admin UI, on both backends: the milestone log (what each action
did, its filters, paging from the newest, inline errors for filters that do not parse)
and the deliveries (their list and filters, one delivery with every attempt, Retry and
"Retry all dead" against a real HTTP receiver, CSRF, another store's delivery). Agents
see and retry them too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from milepost.config import Settings
from milepost.testing import FrozenClock
from support.receiver import Receiver

WORKER = Settings(webhooks_allow_private=True, delivery_jitter=0, delivery_concurrency=2, delivery_schedule=[0, 1, 1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on loopback that records what it receives (204 unless told)."""
    with Receiver() as r:
        yield r


def paid(customer: str, order: str, total: int = 2500) -> dict:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def logged(html: str) -> list[str]:
    """The customers of the milestone log's rows, top to bottom."""
    return re.findall(r'/customers/([^"]+)">', html.split("<tbody>")[1])


def drain(mp: Milepost, store: str) -> None:
    worker = mp.worker(settings=WORKER, stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()


def event(mp: Milepost, store: str, count: int, name: str, *actions: dict) -> int:
    actions = actions or ({"type": "add_tag", "tag": name},)
    return mp.order_count_events.create(store, count=count, name=name, actions=list(actions)).rule.id


# -- the milestone log -----------------------------------------------------------------------------


def test_the_log_shows_who_reached_what_and_what_each_action_did(agent: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Welcome", body_text="Hello {{ customer.name }}")
    event(
        mp,
        store,
        2,
        "VIP",
        {"type": "credit", "amount": 1000},
        {"type": "add_tag", "tag": "VIP"},
        {"type": "code", "discount": {"kind": "percentage", "percent": 10}},
        {"type": "send_email", "template": "vip"},
        {"type": "alert"},
    )
    ada = {"customer_id": "ada", "email": "ada@x.example", "email_consent": True}
    mp.ingest(store, [{"id": "p", "type": "customer.created", **ada}])
    mp.ingest(store, [paid("ada", "o1"), paid("ada", "o2")])
    url = f"/admin/{store}/log/milestones"

    page = agent.get(url)

    assert page.status_code == 200
    text = text_of(page.text)
    assert f'href="/admin/{store}/customers/ada"' in page.text
    assert "VIP" in text and "Order count event · version 1 · order count 2" in text and "o2" in text
    assert "Credit the account done credited $10.00" in text
    assert "tagged 'VIP'" in text
    assert re.search(r"issued [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}: 10% off", text)
    assert "alert created" in text
    assert "Send email pending email 'vip' waiting to be sent" in text  # the email's delivery, not sent yet
    assert "queued" not in text

    drain(mp, store)  # no SMTP server: kept in the local mailbox, which counts as sent
    after = agent.get(url)
    assert "Send email sent email 'vip' sent" in text_of(after.text)
    (delivery,) = mp.deliveries.list(store)
    assert f'href="/admin/{store}/log/deliveries/{delivery.id}" class="status sent"' in after.text


def test_a_skipped_email_says_skipped_and_why_not_queued(agent: TestClient, mp: Milepost, store: str):
    # Given an email to customers who have no consent, and one with no address
    mp.templates.save(store, "vip", subject="Welcome", body_text="Hello")
    event(mp, store, 1, "First order", {"type": "send_email", "template": "vip"})
    mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "ada", "email": "ada@x.example"}])
    mp.ingest(store, [paid("ada", "o1"), paid("bob", "o2")])

    # When the worker has looked at them
    drain(mp, store)

    # Then the log and the customer page say skipped and why, never queued
    text = text_of(agent.get(f"/admin/{store}/log/milestones").text)
    assert "queued" not in text
    assert "Send email skipped email 'vip' skipped: the customer has not consented to marketing email" in text
    assert "Send email skipped email 'vip' skipped: the customer has no email address" in text
    page = text_of(agent.get(f"/admin/{store}/customers/ada").text)
    assert "skipped email 'vip' skipped: the customer has not consented to marketing email" in page
    assert "queued" not in page.split("Milestones reached")[1].split("Messages sent")[0]
    assert "skipped: the customer has not consented to marketing email" in page.split("Messages sent")[1]


def test_each_filter_narrows_the_log(agent: TestClient, mp: Milepost, clock: FrozenClock, store: str):
    mp.stores.update(store, timezone="America/New_York")
    first = event(mp, store, 1, "First order")
    second = event(mp, store, 2, "Second order")
    signed_in_at = clock()
    clock.set(datetime(2026, 2, 1, 12, 0, tzinfo=UTC))
    mp.ingest(store, [paid("ada", "a1"), paid("bob", "b1")])
    clock.set(datetime(2026, 2, 3, 2, 30, tzinfo=UTC))  # still 2 February in New York
    mp.ingest(store, [paid("ada", "a2")])
    clock.set(datetime(2026, 2, 5, 12, 0, tzinfo=UTC))
    mp.ingest(store, [paid("cyd", "c1")])
    clock.set(signed_in_at)  # the session's time
    url = f"/admin/{store}/log/milestones"

    assert logged(agent.get(url).text) == ["cyd", "ada", "bob", "ada"]
    assert logged(agent.get(url, params={"customer": "ada"}).text) == ["ada", "ada"]
    assert logged(agent.get(url, params={"program": str(second)}).text) == ["ada"]
    assert logged(agent.get(url, params={"program": str(first), "customer": "ada"}).text) == ["ada"]
    assert logged(agent.get(url, params={"since": "2026-02-02"}).text) == ["cyd", "ada"]
    assert logged(agent.get(url, params={"until": "2026-02-02"}).text) == ["ada", "bob", "ada"]
    only_2nd = agent.get(url, params={"since": "2026-02-02", "until": "2026-02-02"})
    assert logged(only_2nd.text) == ["ada"] and "2026-02-02 21:30" in only_2nd.text  # in New York time
    assert "No milestone matches these filters." in agent.get(url, params={"customer": "nobody"}).text
    # the form shows the filters it applied
    shown = agent.get(url, params={"customer": "ada", "program": str(second), "since": "2026-02-01"}).text
    assert 'value="ada"' in shown and f'value="{second}" selected' in shown and 'value="2026-02-01"' in shown


def test_the_log_pages_from_the_newest_with_a_keyset(agent: TestClient, mp: Milepost, store: str):
    event(mp, store, 1, "First order")
    mp.ingest(store, [paid(f"c{i:02d}", f"o{i}") for i in range(60)])
    url = f"/admin/{store}/log/milestones"

    first = agent.get(url, params={"program": str(mp.order_count_events.list(store)[0].rule.id)})

    assert logged(first.text) == [f"c{i:02d}" for i in range(59, 9, -1)]
    older = re.search(r'href="([^"]+)">Older', first.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert "program=" in older and "before=" in older  # the filters stay
    second = agent.get(older)
    assert logged(second.text) == [f"c{i:02d}" for i in range(9, -1, -1)]
    assert "Older" not in second.text and "Newest" in second.text


BAD_FILTERS = [
    ({"customer": "x" * 201}, "customer", "is not a customer id"),
    ({"customer": "a\x00b"}, "customer", "is not a customer id"),
    ({"program": "abc"}, "program", "choose a program from the list"),
    ({"program": "99999999999999999999999"}, "program", "choose a program from the list"),
    ({"since": "2026-13-45"}, "since", "must be a date like 2026-03-01"),
    ({"until": "yesterday"}, "until", "must be a date like 2026-03-01"),
    ({"since": "2026-03-05", "until": "2026-03-01"}, "until", "must not be before the start date"),
    ({"before": "-1"}, "", "start again from the newest milestones"),
    ({"before": "99999999999999999999"}, "", "start again from the newest milestones"),
]


def test_filters_that_do_not_parse_are_shown_next_to_their_field(agent: TestClient, mp: Milepost, store: str):
    event(mp, store, 1, "First order")
    mp.ingest(store, [paid("ada", "a1")])

    for params, field, message in BAD_FILTERS:
        page = agent.get(f"/admin/{store}/log/milestones", params=params)

        assert page.status_code == 400, params
        assert message in page.text, params
        if field:
            assert f'id="e-{field}"' in page.text and f'aria-describedby="e-{field}"' in page.text
        assert "Correct the filters to see the log." in page.text


def test_extreme_dates_and_another_stores_program_are_handled(agent: TestClient, mp: Milepost, store: str):
    other = f"s-{uuid.uuid4().hex}"
    mp.stores.create(other, "Other shop", currency="USD", timezone="Pacific/Kiritimati")
    theirs = event(mp, other, 1, "Theirs")
    event(mp, store, 1, "Ours")
    mp.ingest(store, [paid("ada", "a1")])
    url = f"/admin/{store}/log/milestones"

    assert agent.get(url, params={"program": str(theirs)}).status_code == 400
    assert logged(agent.get(url, params={"since": "0001-01-01", "until": "9999-12-31"}).text) == ["ada"]
    assert agent.get(f"/admin/{other}/log/milestones", params={"since": "0001-01-01"}).status_code == 200
    assert agent.get(f"/admin/{other}/log/milestones", params={"until": "9999-12-31"}).status_code == 200
    assert agent.get("/admin/no-such-store/log/milestones").status_code == 404


# -- deliveries --------------------------------------------------------------------------------------


def dead_webhook(mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock, customer: str = "ada") -> int:
    """A webhook to `receiver` that answered 500 to each of its three attempts: dead."""
    mp.settings = Settings(webhooks_allow_private=True)
    mp.webhooks.create(store, url=f"{receiver.url}/hooks", event_types=["milestone.reached"])
    event(mp, store, 1, "First order")
    mp.ingest(store, [paid(customer, f"{customer}-1")])
    receiver.answer(500, times=3)
    for _ in range(3):
        drain(mp, store)
        clock.advance(seconds=2)
    (delivery,) = mp.deliveries.list(store, status="dead")
    return delivery.id


def test_deliveries_are_listed_with_their_status_and_filtered(
    agent: TestClient, mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock
):
    dead = dead_webhook(mp, store, receiver, clock)
    mp.templates.save(store, "hi", subject="Hi", body_text="Hello")
    event(mp, store, 2, "Second order", {"type": "send_email", "template": "hi"})
    mp.ingest(
        store,
        [
            {
                "id": "p",
                "type": "customer.created",
                "customer_id": "ada",
                "email": "ada@x.example",
                "email_consent": True,
            }
        ],
    )
    mp.ingest(store, [paid("ada", "ada-2")])
    url = f"/admin/{store}/log/deliveries"

    page = agent.get(url)

    assert page.status_code == 200
    rows = dict(re.findall(r'<tr data-delivery-id="(\d+)">(.*?)</tr>', page.text, re.S))
    (email_delivery,) = mp.deliveries.list(store, channel="email")
    email, webhook = rows[str(email_delivery.id)], rows[str(dead)]
    assert "Email" in email and "pending" in email and "ada@x.example" in email
    assert f"dlv_{dead}" in webhook and "Webhook" in webhook and "dead" in webhook
    assert f"{receiver.url}/hooks" in webhook and "500" in webhook and ">3<" in webhook
    assert f'href="/admin/{store}/customers/ada"' in webhook
    assert "Retry all dead" in page.text
    assert re.findall(r">dlv_(\d+)<", agent.get(url, params={"status": "dead"}).text) == [str(dead)]
    assert re.findall(r">dlv_(\d+)<", agent.get(url, params={"channel": "email"}).text) == [str(email_delivery.id)]
    assert "No delivery matches" in agent.get(url, params={"status": "sent"}).text
    assert "No delivery matches" in agent.get(url, params={"status": "dead", "channel": "email"}).text
    for params, field in (({"status": "lost"}, "status"), ({"channel": "fax"}, "channel")):
        bad = agent.get(url, params=params)
        assert bad.status_code == 400 and f'id="e-{field}"' in bad.text
    assert agent.get(url, params={"before_id": "x"}).status_code == 400


def test_the_deliveries_list_pages_by_id(agent: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "hi", subject="Hi", body_text="Hello")
    event(mp, store, 1, "First order", {"type": "send_email", "template": "hi"})
    mp.ingest(store, [paid(f"c{i:02d}", f"o{i}") for i in range(55)])
    ids = [d.id for d in mp.deliveries.list(store)]

    first = agent.get(f"/admin/{store}/log/deliveries", params={"channel": "email"})
    found = [int(i) for i in re.findall(r">dlv_(\d+)<", first.text)]
    older = re.search(r'href="([^"]+)">Older', first.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    second = agent.get(older)

    assert found == ids[:50] and "channel=email" in older
    assert [int(i) for i in re.findall(r">dlv_(\d+)<", second.text)] == ids[50:]


def test_a_delivery_shows_every_attempt_and_retry_sends_it_again(
    agent: TestClient, mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock
):
    dead = dead_webhook(mp, store, receiver, clock)
    url = f"/admin/{store}/log/deliveries/{dead}"

    page = agent.get(url)

    assert page.status_code == 200
    attempts = page.text.split("<h2>Attempts</h2>")[1].split("<tbody>")[1].split("</tr>")[:-1]
    assert len(attempts) == 3 and all("500" in a and " ms" in a for a in attempts)
    assert [re.search(r'class="status (\w+)"', a).group(1) for a in attempts] == ["retry"] * 3  # type: ignore[union-attr]
    assert f"{receiver.url}/hooks" in page.text and "Retry</button>" in page.text

    retried = agent.post(url + "/retry", data={"csrf_token": csrf(agent, url)})

    assert retried.status_code == 303 and retried.headers["location"] == url + "?retried=1"
    after = agent.get(retried.headers["location"])
    assert 'data-status="pending"' in after.text and "Queued to be sent again" in after.text
    assert "Retry</button>" not in after.text  # pending, not failing: nothing to retry
    drain(mp, store)  # the receiver answers 204 now
    sent = agent.get(url)
    assert 'data-status="sent"' in sent.text and "Retry</button>" not in sent.text
    assert len(receiver.requests) == 4
    # a sent delivery cannot be retried: the page says why, nothing is sent
    again = agent.post(url + "/retry", data={"csrf_token": csrf(agent, url)})
    assert again.status_code == 409 and "only dead, pending or skipped ones can be retried" in again.text


def test_a_skipped_email_has_retry_which_sends_it_once_the_customer_consents(
    agent: TestClient, mp: Milepost, store: str
):
    mp.templates.save(store, "hi", subject="Hi", body_text="Hello")
    event(mp, store, 1, "First order", {"type": "send_email", "template": "hi"})
    mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "ada", "email": "ada@x.example"}])
    mp.ingest(store, [paid("ada", "o1")])
    drain(mp, store)
    (skipped,) = mp.deliveries.list(store, status="skipped")
    url = f"/admin/{store}/log/deliveries/{skipped.id}"
    page = agent.get(url)
    assert 'data-status="skipped"' in page.text and "Retry</button>" in page.text

    # Before consent: refused, and the page says why
    refused = agent.post(url + "/retry", data={"csrf_token": csrf(agent, url)})
    assert refused.status_code == 409
    assert "still cannot be sent: the customer has not consented to marketing email" in text_of(refused.text)

    # After it: pending, then sent by the worker, the same delivery
    mp.ingest(store, [{"id": "c", "type": "customer.updated", "customer_id": "ada", "email_consent": True}])
    retried = agent.post(url + "/retry", data={"csrf_token": csrf(agent, url)})
    assert retried.status_code == 303 and "Queued to be sent again" in agent.get(retried.headers["location"]).text
    drain(mp, store)
    assert 'data-status="sent"' in agent.get(url).text and [d.id for d in mp.deliveries.list(store)] == [skipped.id]
    log = text_of(agent.get(f"/admin/{store}/log/milestones").text)
    assert "Send email sent email 'hi' sent" in log


def test_retry_all_dead_queues_every_dead_delivery(
    agent: TestClient, mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock
):
    dead = dead_webhook(mp, store, receiver, clock)
    url = f"/admin/{store}/log/deliveries"

    done = agent.post(url + "/retry-dead", data={"csrf_token": csrf(agent, url)})

    assert done.status_code == 303 and done.headers["location"] == f"{url}?retried=1"
    page = agent.get(done.headers["location"])
    assert "1 dead delivery will be sent again by the worker." in page.text
    assert "Retry all dead" not in page.text
    assert mp.deliveries.get(store, dead)[0].status == "pending"
    again = agent.post(url + "/retry-dead", data={"csrf_token": csrf(agent, url)})
    assert "No dead delivery to retry." in agent.get(again.headers["location"]).text


def test_retrying_needs_the_forms_token(
    agent: TestClient, mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock
):
    dead = dead_webhook(mp, store, receiver, clock)
    base = f"/admin/{store}/log/deliveries"

    assert agent.post(f"{base}/{dead}/retry", data={"csrf_token": "forged"}).status_code == 403
    assert agent.post(f"{base}/{dead}/retry").status_code == 403
    assert agent.post(f"{base}/retry-dead", data={"csrf_token": "forged"}).status_code == 403
    assert mp.deliveries.get(store, dead)[0].status == "dead"


def test_another_stores_delivery_and_odd_ids_are_404(
    agent: TestClient, mp: Milepost, store: str, receiver: Receiver, clock: FrozenClock
):
    other = f"s-{uuid.uuid4().hex}"
    mp.stores.create(other, "Other shop", currency="USD", timezone="UTC")
    theirs = dead_webhook(mp, other, receiver, clock)
    base = f"/admin/{store}/log/deliveries"
    token = csrf(agent, base)

    assert agent.get(f"{base}/{theirs}").status_code == 404
    assert agent.post(f"{base}/{theirs}/retry", data={"csrf_token": token}).status_code == 404
    assert mp.deliveries.get(other, theirs)[0].status == "dead"
    for odd in ("abc", "0", "-1", "99999999999999999999999", "1e3"):
        assert agent.get(f"{base}/{odd}").status_code == 404
        assert agent.post(f"{base}/{odd}/retry", data={"csrf_token": token}).status_code == 404
    assert agent.get(f"/admin/{other}/log/deliveries/dlv_{theirs}").status_code == 200


def test_the_logs_need_a_signed_in_user(web: TestClient, store: str):
    for path in ("log/milestones", "log/deliveries", "log/deliveries/1"):
        page = web.get(f"/admin/{store}/{path}")
        assert page.status_code == 303 and page.headers["location"].startswith("/admin/login?next=")


def test_an_agent_sees_the_logs_in_the_navigation(agent: TestClient, admin: TestClient, store: str):
    for client in (agent, admin):
        page = client.get(f"/admin/{store}/log/deliveries")
        assert page.status_code == 200
        assert f'href="/admin/{store}/log/milestones"' in page.text
        assert 'aria-current="page">Deliveries' in page.text


def test_a_skipped_email_says_why(agent: TestClient, mp: Milepost, store: str, clock: FrozenClock):
    mp.templates.save(store, "hi", subject="Hi", body_text="Hello")
    event(mp, store, 1, "First order", {"type": "send_email", "template": "hi"})
    mp.ingest(store, [paid("nomail", "o1")])
    drain(mp, store)
    (delivery,) = mp.deliveries.list(store)
    clock.advance(seconds=60)

    page = agent.get(f"/admin/{store}/log/deliveries/{delivery.id}")

    assert 'data-status="skipped"' in page.text and "no email address" in page.text
    assert "Retry</button>" in page.text and "Retry checks the customer's address and consent again" in page.text
