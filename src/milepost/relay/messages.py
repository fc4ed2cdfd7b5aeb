"""Emails and texts: read what a message needs, render it, and send it through its channel
or keep it in the local mailbox when that channel is not configured."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from milepost.config import Settings
from milepost.domain.consent import agent_blocked, email_blocked, sms_blocked
from milepost.domain.delivery import OutboxMessage
from milepost.domain.ids import parse_id
from milepost.domain.records import Store
from milepost.domain.users import User
from milepost.errors import NotFound
from milepost.relay.message_ids import message_id_for
from milepost.relay.outcome import Outcome, failed, kept, skip
from milepost.relay.ports import Channels, Email
from milepost.service import aggregate_values
from milepost.service.existing import find_customer
from milepost.service.ports import Storage
from milepost.service.rendering import Rendered, TemplateProblem, render
from milepost.service.reports import customer_in
from milepost.service.templates import template_context


class Messages:
    """Composes and sends the outbox's emails and texts (webhooks are in relay/webhooks.py)."""

    def __init__(self, db: Storage, settings: Settings, channels: Channels, clock: Callable[[], datetime]) -> None:
        self.db, self.settings, self.channels, self.clock = db, settings, channels, clock

    def send(self, message: OutboxMessage, payload: dict[str, Any]) -> Outcome:
        with self.db.read() as tx:
            store = tx.store(message.store_id)
            if store is None:
                return failed("the store no longer exists")
            try:
                customer = customer_in(tx, store.id, payload["customer"]["id"], history=False)
            except NotFound:
                return failed("the customer no longer exists")
            if "agent_alert" in payload:
                found = tx.user_by_email(payload["agent_alert"]["assignee"])
                return self._agent_email(message, payload, store, customer, found[0] if found else None)
            firing = _firing_id(payload)
            if "agent_email" in payload:  # an automation's internal_email
                found = tx.user_by_email(payload["agent_email"]["to"])
                code = tx.firing_code(store.id, customer.external_id, firing)
                user = found[0] if found else None
                return self._internal_email(message, payload, store, customer, user, code)
            credit = tx.firing_credit(store.id, customer.external_id, firing)
            points = tx.firing_points(store.id, customer.external_id, firing)
            code = tx.firing_code(store.id, customer.external_id, firing)
            template = tx.template(store.id, payload["template"]) if message.channel == "email" else None
            texts = template.values() if template is not None else (payload.get("text"),)
            aggregates = None
            if aggregate_values.named_in(*texts):
                state = find_customer(tx, store.id, customer.external_id)
                aggregates = aggregate_values.of_customer(tx, store, state, self.clock())
        context = template_context(
            store,
            customer,
            {"name": payload["milestone"]["name"], "count": payload["milestone"]["count"]},
            {"id": payload.get("order_id") or "", "total": 0, "currency": store.currency},
            {"credit_amount": credit, "points": points, "coupon_code": code},  # what the same firing gave
            aggregates,
        )
        if message.channel == "email":
            return self._email(message, payload, store, customer, context, template)
        if message.channel == "sms":
            return self._sms(message, payload, customer, context)
        return failed(f"unknown channel {message.channel!r}")

    def _email(
        self,
        message: OutboxMessage,
        payload: dict[str, Any],
        store: Store,
        customer: Any,
        context: Any,
        template: Mapping[str, Any] | None,
    ) -> Outcome:
        blocked = email_blocked(customer, store.milestone_emails)
        if blocked:
            return skip(blocked)
        if template is None:
            return failed(f"the email template {payload['template']!r} no longer exists")
        try:
            rendered = render(template, context)
        except TemplateProblem as exc:
            return failed(f"the template does not render: {exc}")
        return self._send_email(message, store, customer.email, customer.name, rendered)

    def _send_email(
        self, message: OutboxMessage, store: Store, address: str, name: str | None, rendered: Rendered
    ) -> Outcome:
        """Through the SMTP server, or kept in the local mailbox when there is none."""
        sender_name = store.email_from_name or self.settings.email_from_name
        sender_address = store.email_from_address or self.settings.email_from_address
        email = Email(
            message_id=message_id_for(message.key, sender_address),
            sender_name=sender_name,
            sender_address=sender_address,
            recipient_address=address,
            recipient_name=name,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            headers=_headers(message, store),
        )
        if self.channels.email is not None:
            return Outcome(self.channels.email.send(email))
        recipient = f"{name} <{address}>" if name else address
        sender = f"{sender_name} <{sender_address}>"
        return kept("email", email.message_id, sender, recipient, email.subject, email.body_text, email.body_html)

    def _agent_email(
        self, message: OutboxMessage, payload: dict[str, Any], store: Store, customer: Any, user: User | None
    ) -> Outcome:
        """The internal email to the agent an alert names: what happened and where to act."""
        alert = payload["agent_alert"]
        blocked = agent_blocked(alert["assignee"], user)
        if blocked is not None or user is None:  # (a missing user is always blocked)
            return skip(blocked or "")
        who = customer.name or customer.email or customer.external_id
        base = self.settings.public_url.rstrip("/")
        where = f"{base}/admin/{store.key}" if base else f"the admin UI's dashboard of {store.name}"
        text = (
            f"Hello {user.name},\n\n"
            f"An alert in {store.name} is yours:\n\n    {alert['message']}\n\n"
            f"Customer: {who} ({customer.external_id})\n"
            f"Milestone: {payload['milestone']['name']}\n\n"
            f"Acknowledge it when you are on it and resolve it when it is done: {where}\n"
        )
        rendered = Rendered(f"[{store.name}] Alert for you: {who}", text, None)
        return self._send_email(message, store, user.email, user.name, rendered)

    def _internal_email(
        self,
        message: OutboxMessage,
        payload: dict[str, Any],
        store: Store,
        customer: Any,
        user: User | None,
        code: str | None,
    ) -> Outcome:
        """An automation's internal email to an agent: its subject and body are templates
        with the message variables, and `code`, the pool code the branch took."""
        agent = payload["agent_email"]
        blocked = agent_blocked(agent["to"], user)
        if blocked is not None or user is None:
            return skip(blocked or "")
        context = template_context(
            store, customer, {"name": payload["milestone"]["name"], "count": payload["milestone"]["count"]}
        )
        try:
            rendered = render(
                {"subject": agent["subject"], "body_text": agent["body"]}, {**context, "code": code or ""}
            )
        except TemplateProblem as exc:
            return failed(f"the internal email does not render: {exc}")
        return self._send_email(message, store, user.email, user.name, rendered)

    def _sms(self, message: OutboxMessage, payload: dict[str, Any], customer: Any, context: Any) -> Outcome:
        blocked = sms_blocked(customer)
        if blocked:
            return skip(blocked)
        try:
            text = render({"subject": "", "body_text": payload["text"]}, context).text
        except TemplateProblem as exc:
            return failed(f"the text does not render: {exc}")
        if self.channels.sms is not None:
            return Outcome(self.channels.sms.send(customer.phone, text, message.key))
        sender = self.settings.twilio_from_number or "sms"
        return kept("sms", message.key, sender, customer.phone, None, text, None)


def _headers(message: OutboxMessage, store: Store) -> dict[str, str]:
    """The extra headers of a store's email: its delivery key, and its Reply-To if it has one."""
    headers = {"X-Milepost-Delivery": message.key}
    if store.reply_to_address:
        headers["Reply-To"] = store.reply_to_address
    return headers


def _firing_id(payload: dict[str, Any]) -> int:
    return parse_id("milestone", payload["milestone"]["id"])
