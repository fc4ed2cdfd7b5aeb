"""The one place that builds Settings -> storage -> services, and the Python API on top.

from milepost import connect
mp = connect()                      # the embedded SQLite default, migrated
mp.create_store("shop", "My Shop", currency="USD")
mp.create_order_count_event("shop", count=5, name="VIP", actions=[{"type": "add_tag", "tag": "VIP"}])
mp.ingest("shop", [{"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 2500}])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from milepost.adapters.channels.email import SmtpSender
from milepost.adapters.channels.sms import TwilioSender
from milepost.adapters.channels.webhook import WebhookSender
from milepost.adapters.storage.database import Database
from milepost.config import Settings
from milepost.domain.codes import Code, Verdict
from milepost.domain.delivery import Attempt, Delivery, MailboxMessage
from milepost.domain.expiry import Lot
from milepost.domain.records import (
    Alert,
    ApiKey,
    CustomerLine,
    CustomerReport,
    LedgerEntry,
    MilestoneReached,
    PointsEntry,
    Store,
)
from milepost.domain.users import User, WebSession
from milepost.relay import Channels, Worker, worker_name
from milepost.scheduler import Scheduler, standard_sweeps
from milepost.service import codes as codes_service
from milepost.service import (
    dashboard,
    delivery,
    endpoints,
    inactivity,
    keys,
    ledger,
    reports,
    rules,
    stores,
    templates,
)
from milepost.service import points as points_service
from milepost.service import users as users_service
from milepost.service.ingest import BatchResult, ingest, ingest_batch
from milepost.service.rendering import Rendered
from milepost.service.rules import RuleDetails

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def channels(settings: Settings) -> Channels:
    """The relay's ways out: SMTP and Twilio when configured (else the local mailbox), webhooks."""
    concurrency = settings.delivery_concurrency
    return Channels(
        webhooks=WebhookSender(settings.delivery_timeout, settings.webhooks_allow_private, concurrency),
        email=SmtpSender.from_settings(settings),
        sms=TwilioSender.from_settings(settings, concurrency),
    )


def build_worker(
    db: Database, settings: Settings, clock: Clock, name: str | None, store_ids: list[int] | None
) -> Worker:
    """A relay worker with its channels, running the periodic sweeps between delivery rounds."""
    name = name or worker_name()
    sweeps = Scheduler(db, clock, standard_sweeps(settings.inactivity_interval), store_ids, f"worker {name}")
    return Worker(db, settings, clock, channels(settings), name, store_ids, sweeps)


class Milepost:
    """Milepost's Python API. Stores are named by their key everywhere."""

    def __init__(
        self, db: Database, clock: Clock = utc_now, batch_attempts: int = 5, settings: Settings | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.batch_attempts = batch_attempts
        self.settings = settings or Settings()
        self._stores: dict[str, int] = {}

    # -- stores ------------------------------------------------------------------------

    def create_store(
        self,
        key: str,
        name: str,
        *,
        currency: str = "USD",
        timezone: str = "UTC",
        counting_status: str = "paid",
        allow_negative_credit: bool = False,
        points_per_unit: int = 0,
        allow_negative_points: bool = False,
        points_expire_days: int = 0,
    ) -> Store:
        """`points_per_unit`: points an order earns per whole unit of the currency of its
        net amount (1: 27.50 USD earns 27); 0, the default, earns none. `points_expire_days`:
        earned points expire that many days later, oldest first; 0, the default: never."""
        return stores.create_store(
            self.db,
            self.clock(),
            key=key,
            name=name,
            currency=currency,
            timezone=timezone,
            counting_status=counting_status,
            allow_negative_credit=allow_negative_credit,
            points_per_unit=points_per_unit,
            allow_negative_points=allow_negative_points,
            points_expire_days=points_expire_days,
        )

    def store(self, key: str) -> Store:
        return stores.store_by_key(self.db, key)

    def stores(self) -> list[Store]:
        with self.db.read() as tx:
            return tx.list_stores()

    def update_store(self, key: str, **changes: Any) -> Store:
        return stores.update_store(self.db, self.clock(), self._id(key), **changes)

    def _id(self, key: str) -> int:
        if key not in self._stores:
            self._stores[key] = stores.store_by_key(self.db, key).id
        return self._stores[key]

    # -- templates -----------------------------------------------------------------------

    def save_template(
        self,
        store: str,
        key: str,
        *,
        subject: str,
        body_text: str,
        name: str | None = None,
        body_html: str | None = None,
    ) -> bool:
        """Create or replace the template `key`; True when it is new."""
        return templates.save_template(
            self.db,
            self.clock(),
            self._id(store),
            key=key,
            subject=subject,
            body_text=body_text,
            name=name,
            body_html=body_html,
        )

    def templates(self, store: str, after_key: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        return templates.list_templates(self.db, self._id(store), after_key, limit)

    def template(self, store: str, key: str) -> dict[str, Any]:
        return templates.get_template(self.db, self._id(store), key)

    def preview_template(self, store: str, key: str, customer_id: str) -> Rendered:
        """The template `key` as the customer `customer_id` would get it."""
        return templates.preview_template(self.db, self.store(store), key, customer_id)

    def preview_draft(
        self,
        store: str,
        *,
        subject: str,
        body_text: str,
        body_html: str | None = None,
        customer_id: str | None = None,
    ) -> Rendered:
        """A template not saved yet as the customer `customer_id` would get it (None: the
        sample customer); TemplateProblem names the part and the line of what does not render."""
        return templates.preview_draft(
            self.db,
            self.store(store),
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            customer_id=customer_id,
        )

    def delete_template(self, store: str, key: str) -> None:
        templates.delete_template(self.db, self._id(store), key)

    # -- order count events ----------------------------------------------------------------

    def create_order_count_event(
        self,
        store: str,
        *,
        count: int,
        name: str,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        clawback_days: int | None = None,
    ) -> RuleDetails:
        return rules.create_rule(
            self.db,
            self.clock(),
            self._id(store),
            name=name,
            threshold=count,
            actions=actions,
            conditions=conditions,
            active=active,
            allow_private=self.settings.webhooks_allow_private,
            clawback_days=clawback_days,
        )

    def update_order_count_event(
        self,
        store: str,
        event_id: int,
        *,
        count: int | rules.Unset = rules.UNSET,
        name: str | rules.Unset = rules.UNSET,
        actions: list[dict[str, Any]] | rules.Unset = rules.UNSET,
        conditions: list[dict[str, Any]] | rules.Unset = rules.UNSET,
        active: bool | rules.Unset = rules.UNSET,
    ) -> RuleDetails:
        return rules.update_rule(
            self.db,
            self.clock(),
            self._id(store),
            event_id,
            allow_private=self.settings.webhooks_allow_private,
            threshold=count,
            name=name,
            actions=actions,
            conditions=conditions,
            active=active,
        )

    def set_order_count_event_active(self, store: str, event_id: int, active: bool) -> RuleDetails:
        return self.update_order_count_event(store, event_id, active=active)

    def delete_order_count_event(self, store: str, event_id: int) -> None:
        rules.delete_rule(self.db, self.clock(), self._id(store), event_id)

    def order_count_events(
        self,
        store: str,
        include_deleted: bool = False,
        after: tuple[int, int] | None = None,
        limit: int | None = None,
    ) -> list[RuleDetails]:
        """By count, then id; `after` (the last (count, id) seen) and `limit` give one page."""
        return rules.list_rules(self.db, self._id(store), include_deleted, after, limit)

    def order_count_event(self, store: str, event_id: int) -> RuleDetails:
        return rules.get_rule(self.db, self._id(store), event_id)

    # -- milestone programs --------------------------------------------------------------------

    def create_program(
        self,
        store: str,
        *,
        name: str,
        metric: str,
        threshold: int,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        every: int | None = None,
        clawback_days: int | None = None,
    ) -> RuleDetails:
        """A milestone program on `metric` (METRICS: orders, amount spent, reviews, referrals,
        billing cycles, points earned): fires once per customer who crosses `threshold`
        while it is on and inside its window [starts_at, ends_at); with `every`, again at
        threshold + every, + 2 * every, ... ("every 5th order": threshold 5, every 5)."""
        return rules.create_rule(
            self.db,
            self.clock(),
            self._id(store),
            name=name,
            threshold=threshold,
            actions=actions,
            conditions=conditions,
            active=active,
            kind="program",
            metric=metric,
            starts_at=starts_at,
            ends_at=ends_at,
            every=every,
            allow_private=self.settings.webhooks_allow_private,
            clawback_days=clawback_days,
        )

    def create_journey(
        self,
        store: str,
        *,
        name: str,
        steps: list[dict[str, Any]],
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> RuleDetails:
        """A sequential journey: `steps` like [{"metric": "order_count"}, {"metric":
        "review_count"}, {"metric": "referral_count"}] (each "count": 1 unless given), in
        order, each counting only what happens after the previous one; fires once per
        customer when the last is done. A milestone program of kind "journey"."""
        return rules.create_rule(
            self.db,
            self.clock(),
            self._id(store),
            name=name,
            threshold=0,
            actions=actions,
            conditions=conditions,
            active=active,
            kind="journey",
            steps=steps,
            starts_at=starts_at,
            ends_at=ends_at,
            allow_private=self.settings.webhooks_allow_private,
        )

    def create_inactivity_program(
        self,
        store: str,
        *,
        name: str,
        days: int,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> RuleDetails:
        """Fires for a customer `days` days after their last counted order, once per lapse
        (a new order starts a new one); evaluated by `check_inactivity`, which workers run
        every `inactivity_interval`. Not retroactive: the lapse a customer is already
        `days` into now never fires for them."""
        return rules.create_rule(
            self.db,
            self.clock(),
            self._id(store),
            name=name,
            threshold=days,
            actions=actions,
            conditions=conditions,
            active=active,
            kind="inactivity",
            starts_at=starts_at,
            ends_at=ends_at,
            allow_private=self.settings.webhooks_allow_private,
        )

    def check_inactivity(self, stores: list[str] | None = None) -> inactivity.Sweep:
        """Fire the inactivity programs whose days a customer's lapse reached (all stores
        unless named); safe to run as often as you like."""
        store_ids = [self._id(s) for s in stores] if stores else None
        return inactivity.check_inactivity(self.db, self.clock(), store_ids)

    def update_program(
        self,
        store: str,
        program_id: int,
        *,
        threshold: int | rules.Unset = rules.UNSET,
        name: str | rules.Unset = rules.UNSET,
        actions: list[dict[str, Any]] | rules.Unset = rules.UNSET,
        conditions: list[dict[str, Any]] | rules.Unset = rules.UNSET,
        active: bool | rules.Unset = rules.UNSET,
        starts_at: datetime | rules.Unset | None = rules.UNSET,
        ends_at: datetime | rules.Unset | None = rules.UNSET,
        clawback_days: int | rules.Unset | None = rules.UNSET,
    ) -> RuleDetails:
        """Change what is given, for future crossings only (order count events too); what
        is not given stays. `starts_at`/`ends_at` None removes that bound of the window.
        `clawback_days` N takes a milestone's credit and points back (and voids its unused
        codes) when its order is fully refunded or cancelled within N days; 0 or None keeps them."""
        return rules.update_rule(
            self.db,
            self.clock(),
            self._id(store),
            program_id,
            allow_private=self.settings.webhooks_allow_private,
            kind=None,
            threshold=threshold,
            name=name,
            actions=actions,
            conditions=conditions,
            active=active,
            starts_at=starts_at,
            ends_at=ends_at,
            clawback_days=clawback_days,
        )

    def delete_program(self, store: str, program_id: int) -> None:
        rules.delete_rule(self.db, self.clock(), self._id(store), program_id, kind=None)

    def programs(
        self,
        store: str,
        include_deleted: bool = False,
        after: tuple[int, int] | None = None,
        limit: int | None = None,
    ) -> list[RuleDetails]:
        """Every program, order count events included, by threshold then id."""
        return rules.list_rules(self.db, self._id(store), include_deleted, after, limit, kind=None)

    def program(self, store: str, program_id: int) -> RuleDetails:
        return rules.get_rule(self.db, self._id(store), program_id, kind=None)

    # -- events in ----------------------------------------------------------------------------

    def ingest(self, store: str, events: list[dict[str, Any]], source: str = "api") -> BatchResult:
        """Ingest one batch in one transaction."""
        return ingest_batch(self.db, self._id(store), events, self.clock(), source, self.batch_attempts)

    def ingest_stream(
        self,
        store: str,
        events: Iterable[dict[str, Any]],
        source: str = "api",
        batch_size: int = 1000,
        lanes: int | None = None,
    ) -> Iterator[BatchResult]:
        """Ingest any number of events, `batch_size` per transaction; yields each batch's
        result, whose `index` is an event's position in the stream. On PostgreSQL the
        customers are shared out between two lanes stored side by side (one customer's
        events still apply in stream order; `lanes` sets another number); see
        `service.ingest.ingest`."""
        return ingest(self.db, self._id(store), events, self.clock, source, batch_size, self.batch_attempts, lanes)

    # -- what operators read ----------------------------------------------------------------------

    def customer(self, store: str, customer_id: str) -> CustomerReport:
        return reports.customer_report(self.db, self._id(store), customer_id)

    def customers(self, store: str, prefix: str = "", after: str | None = None, limit: int = 50) -> list[CustomerLine]:
        """Customers by id, those whose id starts with `prefix`; `after` (the last id seen) pages."""
        return reports.customer_lines(self.db, self._id(store), prefix, after, limit)

    def customers_by_email(self, store: str, email: str, limit: int = 50) -> list[CustomerLine]:
        """Customers with this email address (as sent, or in lower case), by id."""
        return reports.customers_by_email(self.db, self._id(store), email, limit)

    def milestone_log(self, store: str, **filters: Any) -> list[MilestoneReached]:
        return reports.milestone_log(self.db, self._id(store), **filters)

    def firing_deliveries(self, store: str, milestone_ids: Iterable[int]) -> dict[tuple[int, int], Delivery]:
        """The email, text or webhook each queued action of these milestones (log ids) sent,
        by (milestone id, action position): whether it went out yet."""
        return reports.firing_deliveries(self.db, self._id(store), list(milestone_ids))

    def alerts(
        self,
        store: str,
        status: str | None = "open",
        limit: int = 100,
        before_id: int | None = None,
        assignee: str | None = None,
    ) -> list[Alert]:
        """Newest first. `status`: open, acknowledged, resolved, unresolved (open or
        acknowledged), or None for all; `assignee`: the alerts of the user with this email."""
        return reports.alerts(self.db, self._id(store), status, limit, before_id, assignee)

    def acknowledge_alert(self, store: str, alert_id: int, by: str) -> Alert:
        return reports.acknowledge_alert(self.db, self.clock(), self._id(store), alert_id, by)

    def resolve_alert(self, store: str, alert_id: int, by: str) -> Alert:
        return reports.resolve_alert(self.db, self.clock(), self._id(store), alert_id, by)

    def activity(self, store: str, days: int = 30) -> dashboard.Activity:
        """Per day of the store, the last `days` days: milestones reached, rewards given
        (credit, points, codes) and delivery attempts with how many sent."""
        return dashboard.activity(self.db, self.store(store), self.clock(), days)

    def outbox(self, store: str) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            return tx.outbox_rows(self._id(store))

    def workflow_runs(self, store: str) -> list[dict[str, Any]]:
        with self.db.read() as tx:
            return tx.workflow_runs(self._id(store))

    # -- credit ------------------------------------------------------------------------------------

    def spend_credit(
        self,
        store: str,
        customer_id: str,
        amount: int,
        *,
        key: str,
        order_id: str | None = None,
        note: str | None = None,
    ) -> LedgerEntry:
        return ledger.spend(
            self.db,
            self.clock(),
            ledger.CREDIT,
            self._id(store),
            customer_id,
            amount,
            key=key,
            order_id=order_id,
            note=note,
        )

    def adjust_credit(
        self, store: str, customer_id: str, amount: int, *, key: str, reason: str, actor: str | None = None
    ) -> LedgerEntry:
        return ledger.adjust(
            self.db,
            self.clock(),
            ledger.CREDIT,
            self._id(store),
            customer_id,
            amount,
            key=key,
            reason=reason,
            actor=actor,
        )

    # -- points ------------------------------------------------------------------------------------

    def spend_points(
        self,
        store: str,
        customer_id: str,
        points: int,
        *,
        key: str,
        order_id: str | None = None,
        note: str | None = None,
    ) -> PointsEntry:
        """The store reports `points` redeemed; the same `key` again returns the first entry."""
        return ledger.spend(
            self.db,
            self.clock(),
            ledger.POINTS,
            self._id(store),
            customer_id,
            points,
            key=key,
            order_id=order_id,
            note=note,
        )

    def adjust_points(
        self, store: str, customer_id: str, points: int, *, key: str, reason: str, actor: str | None = None
    ) -> PointsEntry:
        """An operator's correction, up or down, with its reason."""
        return ledger.adjust(
            self.db,
            self.clock(),
            ledger.POINTS,
            self._id(store),
            customer_id,
            points,
            key=key,
            reason=reason,
            actor=actor,
        )

    def expire_points(self, stores: list[str] | None = None) -> points_service.Expiry:
        """Expire the points that came due (all stores unless named); safe to run as often
        as you like. Workers run it with the inactivity sweep."""
        store_ids = [self._id(s) for s in stores] if stores else None
        return points_service.expire_points(self.db, self.clock(), store_ids)

    def points_expiring(self, store: str, customer_id: str) -> list[Lot]:
        """What is left of the customer's points lots that will expire, soonest first
        (none when the store's points never expire)."""
        return points_service.points_expiring(self.db, self.clock(), self._id(store), customer_id)

    def points_ledger(self, store: str, customer_id: str) -> list[PointsEntry]:
        """The customer's points entries, oldest first; their sum is `customer().points_balance`."""
        return points_service.points_ledger(self.db, self._id(store), customer_id)

    # -- discount codes ----------------------------------------------------------------------

    def codes(self, store: str, customer_id: str) -> list[Code]:
        """The discount codes the customer was given, oldest first."""
        return codes_service.customer_codes(self.db, self._id(store), customer_id)

    def validate_code(self, store: str, code: str, customer_id: str) -> Verdict:
        """Whether `code` is good for the customer now: valid (with its discount), unknown,
        not_theirs, expired, already_redeemed or voided, and why."""
        return codes_service.validate_code(self.db, self.clock(), self._id(store), code, customer_id)

    def redeem_code(self, store: str, code: str, customer_id: str, *, order_id: str, key: str) -> Code:
        """Mark the code redeemed on `order_id`; the same `key` again answers the same code.
        Raises `CodeRefused` (with the verdict's `status`) when the code is not good."""
        return codes_service.redeem_code(self.db, self.clock(), self._id(store), code, customer_id, order_id, key)

    def rollback_redemption(self, store: str, code: str, order_id: str) -> Code:
        """Un-redeem the code, once `order_id` (where it was redeemed) was refunded or cancelled."""
        return codes_service.rollback_redemption(self.db, self.clock(), self._id(store), code, order_id)

    def void_code(self, store: str, code: str, reason: str) -> Code:
        """Cancel the code for good; the checkout is told `reason`."""
        return codes_service.void_code(self.db, self.clock(), self._id(store), code, reason)

    # -- webhook endpoints -------------------------------------------------------------------

    def create_webhook_endpoint(
        self, store: str, *, url: str, event_types: list[str], description: str = ""
    ) -> tuple[endpoints.Endpoint, str]:
        """A new endpoint and its signing secret (`whsec_...`)."""
        return endpoints.create_endpoint(
            self.db,
            self.clock(),
            self._id(store),
            url=url,
            event_types=event_types,
            description=description,
            allow_private=self.settings.webhooks_allow_private,
        )

    def webhook_endpoints(
        self, store: str, after_id: int | None = None, limit: int | None = None
    ) -> list[endpoints.Endpoint]:
        return endpoints.list_endpoints(self.db, self._id(store), after_id, limit)

    def webhook_endpoint(self, store: str, endpoint_id: int) -> endpoints.Endpoint:
        return endpoints.get_endpoint(self.db, self._id(store), endpoint_id)

    def update_webhook_endpoint(
        self,
        store: str,
        endpoint_id: int,
        *,
        url: str | None = None,
        event_types: list[str] | None = None,
        description: str | None = None,
        enabled: bool | None = None,
    ) -> endpoints.Endpoint:
        return endpoints.update_endpoint(
            self.db,
            self.clock(),
            self._id(store),
            endpoint_id,
            url=url,
            event_types=event_types,
            description=description,
            enabled=enabled,
            allow_private=self.settings.webhooks_allow_private,
        )

    def rotate_webhook_secret(self, store: str, endpoint_id: int) -> tuple[endpoints.Endpoint, str]:
        """A new secret; the old one keeps signing (both signatures sent) for a day."""
        return endpoints.rotate_secret(self.db, self.clock(), self._id(store), endpoint_id)

    def webhook_secret(self, store: str, endpoint_id: int) -> str:
        """The endpoint's current (newest) signing secret."""
        return endpoints.current_secret(self.db, self.clock(), self._id(store), endpoint_id)

    def delete_webhook_endpoint(self, store: str, endpoint_id: int) -> None:
        endpoints.delete_endpoint(self.db, self.clock(), self._id(store), endpoint_id)

    # -- delivery --------------------------------------------------------------------------------

    def worker(
        self, name: str | None = None, settings: Settings | None = None, stores: list[str] | None = None
    ) -> Worker:
        """A worker delivering the outbox of `stores` (default: every store): `.run(stop_event)`
        or `.drain()`; close it when done. Between rounds it runs the periodic sweeps."""
        store_ids = [self._id(s) for s in stores] if stores else None
        return build_worker(self.db, settings or self.settings, self.clock, name, store_ids)

    def deliveries(
        self,
        store: str,
        status: str | None = None,
        channel: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Newest first; status pending, sent, skipped, dead, or failing (pending after a failure)."""
        return delivery.list_deliveries(self.db, self._id(store), status, channel, before_id, limit)

    def customer_messages(self, store: str, customer_id: str, limit: int = 20) -> list[Delivery]:
        """The emails and texts milestones sent about the customer, newest first."""
        return delivery.customer_messages(self.db, self._id(store), customer_id, limit)

    def delivery(self, store: str, delivery_id: int) -> tuple[Delivery, list[Attempt]]:
        """One delivery and every attempt made, oldest first."""
        return delivery.get_delivery(self.db, self._id(store), delivery_id)

    def retry_delivery(self, store: str, delivery_id: int) -> Delivery:
        return delivery.retry_delivery(self.db, self.clock(), self._id(store), delivery_id)

    def retry_dead_deliveries(self, store: str) -> int:
        return delivery.retry_dead(self.db, self.clock(), self._id(store))

    def mailbox(
        self, store: str, channel: str | None = None, before_id: int | None = None, limit: int = 100
    ) -> list[MailboxMessage]:
        """Emails and texts kept locally (no SMTP server or SMS provider configured), newest first."""
        return delivery.list_mailbox(self.db, self._id(store), channel, before_id, limit)

    def mailbox_message(self, store: str, message_id: int) -> MailboxMessage:
        return delivery.get_mailbox_message(self.db, self._id(store), message_id)

    # -- API keys --------------------------------------------------------------------------------

    def create_api_key(self, store: str, scope: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key and its secret, which is shown this once and stored only as a hash."""
        return keys.create_key(self.db, self.clock(), self._id(store), scope, name)

    def api_keys(self, store: str) -> list[ApiKey]:
        return keys.list_keys(self.db, self._id(store))

    def revoke_api_key(self, store: str, key_id: int) -> None:
        keys.revoke_key(self.db, self.clock(), self._id(store), key_id)

    def authenticate(self, secret: str) -> tuple[ApiKey, Store] | None:
        return keys.authenticate(self.db, secret)

    # -- users of the admin UI -------------------------------------------------------------

    def create_user(self, email: str, name: str, password: str, role: str = "agent") -> User:
        """A user of the admin UI: `role` "administrator" (changes configuration) or "agent"."""
        return users_service.create_user(self.db, self.clock(), email, name, password, role)

    def users(self) -> list[User]:
        return users_service.users(self.db)

    def user(self, user_id: int) -> User:
        return users_service.user(self.db, user_id)

    def update_user(
        self,
        user_id: int,
        *,
        name: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> User:
        """What is not given stays; a new password or disabling signs the user out."""
        return users_service.update_user(
            self.db, self.clock(), user_id, name=name, role=role, disabled=disabled, password=password
        )

    def sign_in(self, email: str, password: str, address: str) -> tuple[str, WebSession]:
        """A session for the admin UI: the cookie's token and the session (rate limited)."""
        return users_service.sign_in(self.db, self.clock(), email, password, address, self.settings.admin_session_hours)

    def web_session(self, token: str) -> WebSession | None:
        return users_service.session(self.db, self.clock(), token)

    def sign_out(self, token: str) -> None:
        users_service.sign_out(self.db, token)

    def ping(self) -> None:
        """Raise unless the database answers a query."""
        with self.db.read() as tx:
            tx.ping()

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Milepost:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def connect(
    database_url: str | None = None, *, settings: Settings | None = None, clock: Clock = utc_now, migrate: bool = True
) -> Milepost:
    """Open Milepost on `database_url` (default: settings, then the embedded SQLite file)."""
    settings = settings or Settings()
    url = database_url or settings.resolved_database_url()
    db = Database.from_url(
        url, settings.sqlite_busy_timeout_ms, migrate_schema=migrate, wal_pages=settings.sqlite_wal_pages
    )
    return Milepost(db, clock, batch_attempts=settings.batch_retries + 1, settings=settings)
