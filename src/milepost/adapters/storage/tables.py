"""The schema, as SQLAlchemy Core tables. Migrations create it; code reads it.

Every exactly-once guarantee is a unique key here: the event (store, source,
id), the order (store, id), the firing (customer, rule, occurrence), the
ledger entry (store, idempotency key) and the outbox message (key).

Tables keyed by a natural key (events, orders, tags, exclusions) have it as
their primary key and, on SQLite, no rowid: one B-tree per row instead of two.

The hot tables (events, orders, firings, ledger, tags, alerts, outbox, workflow
runs, exclusions) carry no foreign keys: only the batch write fills them, with
ids it loaded or allocated in the same transaction, and the per-row checks
doubled the cost of inserting them on PostgreSQL. Configuration tables keep
theirs. Customers and orders leave room in each page on PostgreSQL
(fillfactor 80) so their frequent updates stay on the page (HOT updates).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from milepost.adapters.storage.times import sqlite_time

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: A 64-bit key that is SQLite's rowid on SQLite.
Id = BigInteger().with_variant(Integer, "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend
    (timestamptz on PostgreSQL, `sqlite_time` text on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(String(40) if dialect.name == "sqlite" else DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return sqlite_time(value) if dialect.name == "sqlite" else value.astimezone(UTC)

    def process_result_value(self, value: str | datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        return value.astimezone(UTC)


def _id() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _store(fk: bool = True) -> Column[int]:
    if not fk:
        return Column("store_id", Integer, nullable=False)
    return Column("store_id", Integer, ForeignKey("stores.id"), nullable=False)


def _created() -> Column[datetime]:
    return Column("created_at", UTCDateTime, nullable=False)


stores = Table(
    "stores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("counting_status", String(16), nullable=False),
    Column("allow_negative_credit", Boolean, nullable=False),
    Column("rules_version", Integer, nullable=False, server_default="0"),
    Column("email_from_name", String(200)),  # the From of the store's emails; settings give the default
    Column("email_from_address", String(320)),
    Column("points_per_unit", Integer, nullable=False, server_default="0"),  # 0: orders earn no points
    Column("allow_negative_points", Boolean, nullable=False, server_default=false()),
    # earned points expire this many days later (None: never), counted from when they were
    # earned or from points_expire_since (when the period was set), whichever is later
    Column("points_expire_days", Integer),
    Column("points_expire_since", UTCDateTime),
    Column("points_expired_until", UTCDateTime),  # the expiry sweep's mark: lots earned by then are settled
    # "marketing": milestone emails need the customer's email consent; "transactional": they do not
    Column("milestone_emails", String(16), nullable=False, server_default="marketing"),
    Column("reply_to_address", String(320)),  # the Reply-To of the store's emails; None: none
    Column("logo_url", String(2000)),  # an https URL of the store's logo
    Column("locale", String(32), nullable=False, server_default="en_US"),  # a CLDR locale, for its money
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    _id(),
    _store(),
    Column("external_id", String(200), nullable=False),
    Column("email", String(320)),
    Column("name", String(200)),
    Column("phone", String(32)),  # E.164, for SMS
    Column("email_consent", Boolean, nullable=False),
    Column("sms_consent", Boolean, nullable=False),
    Column("attributes", Text, nullable=False),  # JSON object
    Column("order_count", Integer, nullable=False),
    Column("amount_spent", BigInteger, nullable=False),
    Column("first_order_at", UTCDateTime),
    Column("last_order_at", UTCDateTime),
    Column("review_count", Integer, nullable=False, server_default="0"),
    Column("referral_count", Integer, nullable=False, server_default="0"),
    Column("billing_cycles", Integer, nullable=False, server_default="0"),
    Column("points_earned", BigInteger, nullable=False, server_default="0"),
    Column("profile_at", UTCDateTime),  # occurred_at of the profile event last applied
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "external_id"),
    Index(None, "store_id", "email"),  # the admin UI's search by email
    Index(None, "store_id", "first_order_at"),  # automations: a first purchase N days ago
    Index(None, "store_id", "created_at"),  # automations: signed up N days ago
    # the lapses that came due on a day, paged by (last_order_at, id); automations: no order for N days
    Index(None, "store_id", "last_order_at", "id"),
    postgresql_with={"fillfactor": 80},
)

# a search for a whole email address, in any case (adapters/storage/customers.py)
Index("ix_customers_store_id_lower_email", customers.c.store_id, func.lower(customers.c.email))

#: The activities counted for a customer (reviews, referrals, billing cycles paid), one
#: row per item: a review reported twice under two event ids counts once.
activities = Table(
    "activities",
    metadata,
    _store(fk=False),
    Column("type", String(32), nullable=False),  # the event type: review.created, ...
    Column("item", String(200), nullable=False),  # review_id, referral_id, invoice_id, or the event id
    Column("customer_id", Id, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    _created(),
    PrimaryKeyConstraint("store_id", "type", "item"),
)

orders = Table(
    "orders",
    metadata,
    _store(fk=False),
    Column("external_id", String(200), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("total", BigInteger),
    Column("currency", String(3)),
    Column("refunded", BigInteger, nullable=False),
    Column("full_refund", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("status_rank", SmallInteger, nullable=False),
    Column("counted_at", UTCDateTime),
    Column("counts", Boolean, nullable=False),
    Column("points_rate", Integer, nullable=False, server_default="0"),  # the store's rate when it first counted
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    # No index by customer: nothing reads a customer's orders, and each new order
    # would write one at a random place in it (a sixth of a batch's pages on SQLite).
    PrimaryKeyConstraint("store_id", "external_id"),
    sqlite_with_rowid=False,
    postgresql_with={"fillfactor": 80},
)

events = Table(
    "events",
    metadata,
    _store(fk=False),
    Column("source", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("type", String(64), nullable=False),
    Column("customer_id", Id),
    Column("order_id", String(200)),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("payload", Text, nullable=False),  # the event as received, JSON
    PrimaryKeyConstraint("store_id", "source", "external_id"),  # exactly once per event
    Index(None, "customer_id", "occurred_at"),  # a customer's latest events (their admin page)
    sqlite_with_rowid=False,
)

rules = Table(
    "rules",
    metadata,
    _id(),
    _store(),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("conditions", Text, nullable=False),  # JSON list
    Column("actions", Text, nullable=False),  # JSON list
    Column("version", Integer, nullable=False),
    Column("arm_seq", Integer, nullable=False),
    Column("starts_at", UTCDateTime),
    Column("ends_at", UTCDateTime),
    Column("repeat_every", BigInteger),  # repeating programs: the step between marks
    Column("steps", Text),  # journeys: JSON list of {"metric", "count"}, in order
    Column("clawback_days", Integer),  # None: keep; N: take back if the order is fully refunded within N days
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime),
    Column("key", String(64)),  # an automation's key (kind "automation"), unique in its store
    Column("definition", Text),  # an automation's definition, JSON (domain/automations.py)
    Index(None, "store_id", "metric"),
    Index(None, "store_id", "key", unique=True),
)

rule_versions = Table(
    "rule_versions",
    metadata,
    Column("rule_id", Id, ForeignKey("rules.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),  # JSON of the rule as saved
    _created(),
    PrimaryKeyConstraint("rule_id", "version"),
    sqlite_with_rowid=False,
)

#: Each customer's progress on each journey (kind "journey"): steps done, and the value
#: of the current step's metric it counts from. No row: nothing done, from 0.
journey_progress = Table(
    "journey_progress",
    metadata,
    Column("rule_id", Id, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("step", Integer, nullable=False),
    Column("baseline", BigInteger, nullable=False),
    Column("done", Boolean, nullable=False),
    PrimaryKeyConstraint("customer_id", "rule_id"),
    sqlite_with_rowid=False,
)

rule_exclusions = Table(
    "rule_exclusions",
    metadata,
    Column("rule_id", Id, nullable=False),
    Column("arm_seq", Integer, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("value", BigInteger),  # the customer's metric when excluded: a repeating rule's marks up to it never fire
    PrimaryKeyConstraint("customer_id", "rule_id", "arm_seq"),
    sqlite_with_rowid=False,
)

firings = Table(
    "firings",
    metadata,
    _id(),
    _store(fk=False),
    Column("rule_id", Id, nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("occurrence", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("order_id", String(200)),
    Column("event_key", String(200), nullable=False),
    Column("fired_at", UTCDateTime, nullable=False),
    Column("actions", Text, nullable=False),  # JSON list of each action's outcome
    Column("clawed_back_at", UTCDateTime),  # its rewards were taken back (its order was refunded)
    Column("clawback_debt", Text),  # JSON {"credit": n, "points": n}: what the clawback could not take back
    UniqueConstraint("customer_id", "rule_id", "occurrence"),  # exactly once, and the per-customer lookup
    Index(None, "store_id", "id"),
    Index(None, "rule_id", "id"),  # a program's firings, newest first
    Index(None, "store_id", "fired_at"),  # the dashboard's milestones per day, the log between dates
)

credit_ledger = Table(
    "credit_ledger",
    metadata,
    _id(),
    _store(fk=False),
    Column("customer_id", Id, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(32), nullable=False),  # milestone | spend | adjustment | clawback
    Column("firing_id", Id),
    Column("order_id", String(200)),
    Column("note", Text),
    Column("idempotency_key", String(200), nullable=False),
    Column("actor", String(200)),
    _created(),
    UniqueConstraint("store_id", "idempotency_key"),
    Index(None, "customer_id"),
    Index(None, "store_id", "created_at"),  # the dashboard's credit given per day
)

#: Points, like credit: an append-only ledger whose sum is the balance.
points_ledger = Table(
    "points_ledger",
    metadata,
    _id(),
    _store(fk=False),
    Column("customer_id", Id, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),  # earn | milestone | spend | adjustment | clawback | expire
    Column("firing_id", Id),
    Column("order_id", String(200)),
    Column("note", Text),
    Column("idempotency_key", String(200), nullable=False),
    Column("actor", String(200)),
    _created(),
    UniqueConstraint("store_id", "idempotency_key"),
    Index(None, "customer_id"),
    Index(None, "store_id", "created_at"),  # the expiry sweep: lots that came due
)

customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", Id, nullable=False),
    Column("tag", String(100), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("customer_id", "tag"),
    sqlite_with_rowid=False,
)

#: Tags operators added or took off by hand, and who did (milestones' tag changes are in
#: their firings' outcomes).
tag_changes = Table(
    "tag_changes",
    metadata,
    _id(),
    Column("customer_id", Id, nullable=False),
    Column("tag", String(100), nullable=False),
    Column("added", Boolean, nullable=False),  # false: taken off
    Column("actor", String(200)),
    _created(),
    Index(None, "customer_id", "id"),
)

OPEN_DEDUPED = "status = 'open' AND dedupe_key IS NOT NULL"
alerts = Table(
    "alerts",
    metadata,
    _id(),
    _store(fk=False),
    Column("customer_id", Id),
    Column("firing_id", Id),
    Column("message", Text, nullable=False),
    Column("status", String(16), nullable=False),  # open | acknowledged | resolved
    _created(),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String(200)),
    Column("dedupe_key", String(200)),  # while an alert with this key is open, no second one is raised
    Column("assignee", String(254)),  # the email of the user who must act; none: anyone
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(200)),
    Index(None, "store_id", "status", "id"),  # newest first, by status
    Index(None, "store_id", "assignee", "status", "id"),  # a user's, newest first
    Index(
        "ux_alerts_open_dedupe_key",
        "store_id",
        "dedupe_key",
        unique=True,
        sqlite_where=text(OPEN_DEDUPED),
        postgresql_where=text(OPEN_DEDUPED),
    ),
)

outbox = Table(
    "outbox",
    metadata,
    _id(),
    _store(fk=False),
    Column("key", String(200), nullable=False, unique=True),  # stable id receivers dedupe on
    Column("channel", String(16), nullable=False),  # email | webhook | sms
    Column("customer_id", Id),
    Column("firing_id", Id),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | skipped | dead
    Column("attempts", Integer, nullable=False),
    # When the row may be claimed next: a claim moves it past the lease, so a worker
    # that dies leaves the row to the next one once its lease runs out.
    Column("available_at", UTCDateTime, nullable=False),
    _created(),
    Column("endpoint_id", Integer),  # the webhook endpoint it goes to
    Column("lease_owner", String(64)),  # the worker holding the current lease
    Column("last_code", Integer),  # HTTP status or SMTP reply of the last attempt
    Column("last_error", Text),  # why the last attempt failed, or why the message was skipped
    Column("sent_at", UTCDateTime),
    Column("updated_at", UTCDateTime),
    Index(None, "status", "available_at"),
    Index(None, "store_id", "status", "id"),
    Index(None, "customer_id", "id"),  # a customer's messages, newest first
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    _id(),
    Column("outbox_id", Id, nullable=False),
    Column("store_id", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),  # 1 for the first
    Column("started_at", UTCDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),  # sent | retry | failed | gone | skipped
    Column("code", Integer),
    Column("error", Text),
    Column("worker", String(64), nullable=False),
    Index(None, "outbox_id"),
    Index(None, "store_id", "started_at"),  # the dashboard's delivery success rate
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _store(),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False),
    Column("event_types", Text, nullable=False),  # JSON list of the internal events it subscribes to
    # JSON list of {"secret", "expires_at"}, newest first: during a rotation the old
    # secret signs too, until it expires.
    Column("secrets", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text),
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "url"),  # one endpoint per address: a rule's webhook action finds it by URL
)

mailbox = Table(
    "mailbox",
    metadata,
    _id(),
    _store(fk=False),
    Column("outbox_id", Id, nullable=False, unique=True),  # kept once, like a delivery
    Column("channel", String(16), nullable=False),  # email | sms
    Column("message_id", String(300), nullable=False),
    Column("sender", String(400), nullable=False),
    Column("recipient", String(400), nullable=False),
    Column("subject", String(500)),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    _created(),
    Index(None, "store_id", "id"),
)

workflow_runs = Table(
    "workflow_runs",
    metadata,
    _id(),
    _store(fk=False),
    Column("workflow", String(100), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("firing_id", Id),
    Column("status", String(16), nullable=False),  # recorded
    _created(),
)

email_templates = Table(
    "email_templates",
    metadata,
    _id(),
    _store(),
    Column("key", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "key"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _store(),
    Column("name", String(200), nullable=False),
    Column("scope", String(16), nullable=False),  # ingest | admin
    Column("prefix", String(32), nullable=False),  # the first characters, shown to tell keys apart
    Column("secret_hash", String(64), nullable=False, unique=True),  # SHA-256 of the whole key, hex
    _created(),
    Column("revoked_at", UTCDateTime),
)

#: Discount codes given by milestones: unique per store, issued in the batch that fired
#: them. `redemption_key` makes a redemption idempotent; a rollback clears it.
codes = Table(
    "codes",
    metadata,
    _id(),
    _store(fk=False),
    Column("code", String(64), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("discount", Text, nullable=False),  # JSON: Discount.as_dict()
    Column("firing_id", Id),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("redeemed_at", UTCDateTime),
    Column("redeemed_order_id", String(200)),
    Column("redemption_key", String(200)),
    Column("voided_at", UTCDateTime),
    Column("void_reason", Text),
    UniqueConstraint("store_id", "code"),
    UniqueConstraint("store_id", "redemption_key"),
    Index(None, "customer_id"),
    Index(None, "firing_id"),
    Index(None, "store_id", "issued_at"),  # the dashboard's codes issued per day
)


pools = Table(
    "pools",
    metadata,
    _id(),
    _store(),
    Column("key", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("discount", Text, nullable=False),  # JSON: Discount.as_dict(), what each of its codes gives
    Column("low_threshold", Integer),  # an alert when fewer codes than this are left; none: no alert
    _created(),
    UniqueConstraint("store_id", "key"),
)

pool_codes = Table(
    "pool_codes",
    metadata,
    _id(),
    Column("pool_id", Id, ForeignKey("pools.id"), nullable=False),
    Column("store_id", Integer, nullable=False),
    Column("code", String(64), nullable=False),
    Column("customer_id", Id),  # the customer it was assigned to; none: still in the pool
    Column("assigned_at", UTCDateTime),
    Column("firing_id", Id),  # the firing that took it
    Column("expires_at", UTCDateTime),  # none: never; once past, never assigned (an assigned code keeps it)
    _created(),
    UniqueConstraint("store_id", "code"),
    Index(None, "pool_id", "customer_id"),  # the codes left, and how many
)


aggregates = Table(
    "aggregates",
    metadata,
    _id(),
    _store(),
    Column("key", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("source", String(200), nullable=False),  # "orders", an event type, or a custom event's name
    Column("function", String(8), nullable=False),  # "count" or "sum"
    Column("property", String(64)),  # the payload's numeric property a sum of events adds
    Column("window_days", Integer),  # a rolling window of store-local days; none: all time
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "key"),
)


# -- the admin UI -------------------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    _id(),
    Column("email", String(320), nullable=False, unique=True),  # lower case: one user per address
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # administrator | agent
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
    Column("disabled_at", UTCDateTime),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    _created(),
    Column("expires_at", UTCDateTime, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    _id(),
    Column("email", String(320), nullable=False),
    Column("address", String(64), nullable=False),  # the client's IP address
    Column("at", UTCDateTime, nullable=False),
    Index(None, "email", "at"),
    Index(None, "address", "at"),
)

#: One automation's run of one day: how many it looked at, let in, fired, and per branch.
automation_runs = Table(
    "automation_runs",
    metadata,
    _id(),
    _store(),
    Column("rule_id", Id, ForeignKey("rules.id"), nullable=False),
    Column("day", Date, nullable=False),  # the store-local date run
    Column("candidates", Integer, nullable=False),  # the trigger held for them
    Column("audience", Integer, nullable=False),  # and the audience let them in
    Column("fired", Integer, nullable=False),  # firings written (not fired before)
    Column("skipped", Integer, nullable=False),  # in the audience, in no branch
    Column("stopped", Integer, nullable=False, server_default="0"),  # the rest after a wait, not run
    Column("branches", Text, nullable=False),  # JSON {branch name: firings}
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Index(None, "rule_id", "day"),
)

#: Who an automation's run of a day reached but fired nothing for, and why: in the audience
#: but in no branch (`no_branch`), or the rest of a branch after a wait stopped (`left_audience`,
#: `disabled`, `branch_gone`). Written set-based; a second run of the day adds nothing.
automation_run_misses = Table(
    "automation_run_misses",
    metadata,
    _id(),
    _store(),
    Column("rule_id", Id, ForeignKey("rules.id"), nullable=False),
    Column("day", Date, nullable=False),  # the store-local date run
    Column("customer_id", Id, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: the conditions that failed, the branch stopped
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("rule_id", "day", "customer_id", "reason"),
)

#: The rest of an automation's branch after a "wait N days" action: pending until the daily
#: run of `due_day` (or the first after it) fires it, at the occurrence minus the wait's id.
automation_waits = Table(
    "automation_waits",
    metadata,
    _id(),
    _store(),
    Column("rule_id", Id, ForeignKey("rules.id"), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("occurrence", Integer, nullable=False),  # of the firing that reached the wait
    Column("step", Integer, nullable=False),  # the wait action's position in the branch
    Column("branch", String(200), nullable=False),  # the branch's name
    Column("due_day", Date, nullable=False),  # the store-local day the rest runs
    Column("created_at", UTCDateTime, nullable=False),
    Column("resumed_at", UTCDateTime),  # the daily run fired the rest
    UniqueConstraint("rule_id", "customer_id", "occurrence", "step"),  # one continuation per wait reached
    Index(None, "rule_id", "due_day"),
)

daily_runs = Table(
    "daily_runs",
    metadata,
    _store(),
    Column("day", Date, nullable=False),  # the store-local date that was run
    Column("completed_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "day"),  # a day runs once: a second mark is a no-op
)


# -- segments -----------------------------------------------------------------------------------

segments = Table(
    "segments",
    metadata,
    _id(),
    _store(),
    Column("key", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(8), nullable=False),  # auto | static
    Column("definition", Text, nullable=False),  # JSON {"groups": [{"filters": [...]}]} (domain/segments.py)
    Column("time_based", Boolean, nullable=False),  # a filter of its own changes with time alone
    _created(),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "key"),
)

#: Who is in each segment now, and since when: an auto segment's as its filters last
#: said, a static one's as they said when it was created.
segment_members = Table(
    "segment_members",
    metadata,
    Column("segment_id", Id, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("since", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("segment_id", "customer_id"),
    Index(None, "customer_id"),  # a customer's segments
    sqlite_with_rowid=False,
)

#: Each entry into and exit from a segment, once.
segment_transitions = Table(
    "segment_transitions",
    metadata,
    _id(),
    Column("store_id", Integer, nullable=False),
    Column("segment_id", Id, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("entered", Boolean, nullable=False),  # false: left
    Column("at", UTCDateTime, nullable=False),
    Index(None, "segment_id", "id"),
)


event_names = Table(
    "event_names",
    metadata,
    _store(),
    Column("name", String(200), nullable=False),  # a type, a custom event's name, or an internal event
    Column("internal", Boolean, nullable=False),  # Milepost's own events (source 'milepost')
    Column("count", BigInteger, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),  # the latest occurred_at among them
    PrimaryKeyConstraint("store_id", "name", "internal"),  # upserted once per transaction that stores events
)
