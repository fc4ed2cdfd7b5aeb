"""The one place that builds Settings -> storage -> services, and the Python API on top:
`connect()` opens a `Milepost`, whose capabilities (`mp.stores`, `mp.programs`,
`mp.ledgers`, ...) live in `milepost.capabilities`, one module each.

from milepost import connect
mp = connect()                      # the embedded SQLite default, migrated
mp.stores.create("shop", "My Shop", currency="USD")
mp.order_count_events.create("shop", count=5, name="VIP", actions=[{"type": "add_tag", "tag": "VIP"}])
mp.ingest("shop", [{"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 2500}])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from milepost.adapters.channels.email import SmtpSender
from milepost.adapters.channels.sms import TwilioSender
from milepost.adapters.channels.webhook import WebhookSender
from milepost.adapters.storage.database import Database
from milepost.capabilities.aggregates import Aggregates
from milepost.capabilities.alerts import Alerts
from milepost.capabilities.automations import Automations
from milepost.capabilities.codes import Codes
from milepost.capabilities.customers import Customers
from milepost.capabilities.deliveries import Deliveries, Mailbox
from milepost.capabilities.events import Events
from milepost.capabilities.keys import Keys
from milepost.capabilities.ledgers import Ledgers
from milepost.capabilities.order_count_events import OrderCountEvents
from milepost.capabilities.pools import Pools
from milepost.capabilities.programs import Programs
from milepost.capabilities.reports import Reports
from milepost.capabilities.segments import Segments
from milepost.capabilities.stores import Stores
from milepost.capabilities.sweeps import Sweeps
from milepost.capabilities.templates import Templates
from milepost.capabilities.users import Sessions, Users
from milepost.capabilities.webhooks import Webhooks
from milepost.capabilities.wiring import Clock, Wiring, utc_now
from milepost.config import Settings
from milepost.relay import Channels, Worker, worker_name
from milepost.service.ingest import ingest, ingest_batch
from milepost.service.results import BatchResult

__all__ = ["Clock", "Milepost", "connect", "utc_now"]


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
    """A relay worker with its channels. Time-based work (inactivity programs, points
    expiry) is the daily scheduler's (`milepost scheduler`, or the one `serve` embeds)."""
    return Worker(db, settings, clock, channels(settings), name or worker_name(), store_ids)


class Milepost:
    """Milepost's Python API: events in (`ingest`), the outbox out (`worker`), and one
    attribute per capability. Stores are named by their key everywhere."""

    def __init__(
        self, db: Database, clock: Clock = utc_now, batch_attempts: int = 5, settings: Settings | None = None
    ) -> None:
        self.wiring = w = Wiring(db, clock, settings or Settings(), batch_attempts)
        self.stores = Stores(w)
        self.keys = Keys(w)
        self.templates = Templates(w)
        self.order_count_events = OrderCountEvents(w)
        self.programs = Programs(w)
        self.customers = Customers(w)
        self.ledgers = Ledgers(w)
        self.codes = Codes(w)
        self.pools = Pools(w)
        self.aggregates = Aggregates(w)
        self.segments = Segments(w)
        self.automations = Automations(w)
        self.reports = Reports(w)
        self.alerts = Alerts(w)
        self.webhooks = Webhooks(w)
        self.deliveries = Deliveries(w)
        self.mailbox = Mailbox(w)
        self.users = Users(w)
        self.sessions = Sessions(w)
        self.sweeps = Sweeps(w)
        self.events = Events(w)

    @property
    def db(self) -> Database:
        return self.wiring.db

    @property
    def batch_attempts(self) -> int:
        return self.wiring.batch_attempts

    @property
    def clock(self) -> Clock:
        return self.wiring.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.wiring.clock = clock

    @property
    def settings(self) -> Settings:
        return self.wiring.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.wiring.settings = settings

    def ingest(self, store: str, events: list[dict[str, Any]], source: str = "api") -> BatchResult:
        """Ingest one batch in one transaction."""
        w = self.wiring
        return ingest_batch(w.db, w.store_id(store), events, w.clock(), source, w.batch_attempts)

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
        w = self.wiring
        return ingest(w.db, w.store_id(store), events, w.clock, source, batch_size, w.batch_attempts, lanes)

    def worker(
        self, name: str | None = None, settings: Settings | None = None, stores: list[str] | None = None
    ) -> Worker:
        """A worker delivering the outbox of `stores` (default: every store): `.run(stop_event)`
        or `.drain()`; close it when done."""
        w = self.wiring
        return build_worker(w.db, settings or w.settings, w.clock, name, w.store_ids(stores))

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
