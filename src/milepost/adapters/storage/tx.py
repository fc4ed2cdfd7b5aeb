"""One transaction's view of the database: the hot-path queries and the rest."""

from __future__ import annotations

from milepost.adapters.storage.aggregates import AggregateQueries
from milepost.adapters.storage.alerts import AlertQueries
from milepost.adapters.storage.automations import AutomationQueries
from milepost.adapters.storage.batch import BatchQueries
from milepost.adapters.storage.customers import CustomerQueries
from milepost.adapters.storage.daily import DailyQueries
from milepost.adapters.storage.dashboard import DashboardQueries
from milepost.adapters.storage.delivery import DeliveryQueries
from milepost.adapters.storage.endpoints import EndpointQueries
from milepost.adapters.storage.expiry import ExpiryQueries
from milepost.adapters.storage.keys import KeyQueries
from milepost.adapters.storage.ledger_reports import LedgerQueries
from milepost.adapters.storage.pools import PoolQueries
from milepost.adapters.storage.records import RecordQueries
from milepost.adapters.storage.reports import ReportQueries
from milepost.adapters.storage.segments import SegmentQueries
from milepost.adapters.storage.users import UserQueries
from milepost.service import ports


class Tx(
    BatchQueries,
    RecordQueries,
    CustomerQueries,
    ReportQueries,
    AlertQueries,
    LedgerQueries,
    KeyQueries,
    EndpointQueries,
    DeliveryQueries,
    ExpiryQueries,
    UserQueries,
    DashboardQueries,
    PoolQueries,
    DailyQueries,
    AutomationQueries,
    SegmentQueries,
    AggregateQueries,
):
    """Everything the services may ask of storage inside one transaction."""


def _satisfies(tx: Tx) -> ports.Tx:
    """Never called: mypy checks here that this class is the transaction the services expect."""
    return tx
