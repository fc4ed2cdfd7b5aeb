"""Alerts for agents: an alert action names who must act (a user, or the customer's
account manager from a customer attribute); that user gets an internal email through a
real SMTP server and the alert is theirs until it is acknowledged and resolved."""

from __future__ import annotations

import uuid

import pytest
from milepost_kit import buy, drain, key, rule

from milepost import Milepost
from milepost.errors import Conflict, NotFound, ValidationError
from support.smtp import SmtpSink

PASSWORD = "correct horse battery"


def agent(mp: Milepost, name: str = "Dana Agent") -> str:
    email = f"dana-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, name, PASSWORD, "agent")
    return email


def customer(mp: Milepost, store: str, cid: str, **attributes: object) -> None:
    event = {"id": key(), "type": "customer.created", "customer_id": cid, "name": f"Customer {cid}"}
    result = mp.ingest(store, [{**event, "email": f"{cid}@example.com", "attributes": attributes}])
    assert result.accepted == 1, result.rejected


def smtp(port: int) -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}


def test_a_named_agent_gets_the_alert_and_an_internal_email(mp: Milepost, store: str):
    dana = agent(mp)
    rule(mp, store, 2, {"type": "alert", "message": "Call {customer}", "assignee": dana.upper()}, name="Call")
    customer(mp, store, "c1")
    buy(mp, store, "c1", 2)

    (alert,) = mp.alerts.list(store)
    assert alert.assignee == dana and alert.message == "Call Customer c1"
    assert mp.alerts.list(store, assignee=dana) == [alert]
    assert mp.alerts.list(store, assignee="someone@else.example") == []
    (firing,) = mp.customers.get(store, "c1").milestones
    assert firing.actions[0]["detail"] == f"alert created for {dana}"

    with SmtpSink() as server:
        assert drain(mp, store, public_url="https://milepost.shop.example/", **smtp(server.port)) == 1
    (message,) = server.messages
    assert message["To"] == f"Dana Agent <{dana}>"
    assert message["Subject"].endswith("Alert for you: Customer c1")
    body = message.get_content()
    assert "Call Customer c1" in body and "Milestone: Call" in body
    assert f"https://milepost.shop.example/admin/{store}" in body
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "sent" and delivery.channel == "email"
    today = mp.reports.activity(store).days[-1]
    assert (today.milestones, today.attempts, today.sent, today.success_rate) == (1, 1, 1, 1.0)


def test_the_account_manager_comes_from_a_customer_attribute(mp: Milepost, store: str):
    dana = agent(mp)
    rule(mp, store, 1, {"type": "alert", "assignee_attribute": "account_manager"})
    customer(mp, store, "managed", account_manager=f"  {dana.upper()} ")
    customer(mp, store, "unmanaged")
    buy(mp, store, "managed", 1)
    buy(mp, store, "unmanaged", 1, start=10)

    by_customer = {a.customer_id: a.assignee for a in mp.alerts.list(store)}
    assert by_customer == {"managed": dana, "unmanaged": None}
    (firing,) = mp.customers.get(store, "unmanaged").milestones
    assert "no email in 'account_manager'" in firing.actions[0]["detail"]
    deliveries = mp.deliveries.list(store)
    assert len(deliveries) == 1  # only the managed customer's alert tells someone
    drain(mp, store)
    (mail,) = mp.mailbox.list(store)
    assert dana in mail.recipient


def test_a_disabled_agent_gets_no_email_and_the_delivery_says_why(mp: Milepost, store: str):
    dana = agent(mp)
    rule(mp, store, 1, {"type": "alert", "assignee": dana})
    user = next(u for u in mp.users.list() if u.email == dana)
    mp.users.update(user.id, disabled=True)
    buy(mp, store, "c1", 1)
    drain(mp, store)
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "skipped" and f"no active user has the email {dana}" in (delivery.last_error or "")
    assert mp.mailbox.list(store) == []
    assert mp.reports.activity(store).success_rate is None  # a skip is no attempt that failed

    # a retry is refused while the agent stays disabled, and sends it once they are back
    with pytest.raises(Conflict, match=f"still cannot be sent: no active user has the email {dana}"):
        mp.deliveries.retry(store, delivery.id)
    mp.users.update(user.id, disabled=False)
    assert mp.deliveries.retry(store, delivery.id).status == "pending"
    assert drain(mp, store) == 1 and [m.recipient for m in mp.mailbox.list(store)] == [f"Dana Agent <{dana}>"]


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"assignee": "nobody@shop.example"}, "assignee", "no active user"),
        ({"assignee": "not an email"}, "assignee", "email address of a user"),
        ({"assignee_attribute": "account manager!"}, "assignee_attribute", "attribute's name"),
        ({"assignee": "x@y.example", "assignee_attribute": "am"}, "assignee_attribute", "not both"),
    ],
)
def test_an_alert_names_an_existing_user_or_an_attribute(mp: Milepost, store: str, params, field, reason):
    with pytest.raises(ValidationError) as caught:
        rule(mp, store, 3, {"type": "alert", **params})
    assert reason in caught.value.problems[f"actions[0].{field}"]


def test_alerts_are_acknowledged_then_resolved_once(mp: Milepost, store: str, clock):
    rule(mp, store, 1, {"type": "alert"})
    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1, start=10)
    first, second = sorted(mp.alerts.list(store), key=lambda a: a.id)

    acknowledged = mp.alerts.acknowledge(store, first.id, "ann@shop.example")
    assert acknowledged.status == "acknowledged"
    assert {a.id for a in mp.alerts.list(store, status="unresolved")} == {first.id, second.id}
    clock.advance(minutes=5)
    resolved = mp.alerts.resolve(store, first.id, "bob@shop.example")
    assert resolved.status == "resolved" and resolved.resolved_by == "bob@shop.example"
    assert resolved.acknowledged_by == "ann@shop.example" and resolved.resolved_at > resolved.acknowledged_at
    assert mp.alerts.resolve(store, first.id, "eve@shop.example") == resolved  # resolving again changes nothing

    straight = mp.alerts.resolve(store, second.id, "bob@shop.example")  # an open one is acknowledged on the way
    assert straight.acknowledged_by == "bob@shop.example" and straight.acknowledged_at == straight.resolved_at
    assert mp.alerts.list(store, status="unresolved") == []
    assert len(mp.alerts.list(store, status="resolved")) == 2
    with pytest.raises(NotFound):
        mp.alerts.resolve(store, 10**9, "bob@shop.example")
