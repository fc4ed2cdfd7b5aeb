"""What the service needs from storage, and the rows it hands over.

One `Protocol` per capability of a transaction (`BatchTx` for ingest, `RulesTx`,
`LedgerTx`, ...), and `Tx`, all of them at once, which `Storage.write()` and
`Storage.read()` open. The SQL adapter (`milepost.adapters.storage`) implements them
for SQLite and PostgreSQL; the service never imports a driver.
"""

from milepost.service.ports.aggregates import AggregatesTx
from milepost.service.ports.alerts import AlertsTx
from milepost.service.ports.automations import AutomationsTx
from milepost.service.ports.batch import BatchTx
from milepost.service.ports.codes import CodesTx
from milepost.service.ports.dashboard import DashboardTx, HourRow
from milepost.service.ports.delivery import DeliveryTx
from milepost.service.ports.endpoints import EndpointsTx, UrlCheck
from milepost.service.ports.expiry import ExpiryTx
from milepost.service.ports.internal_events import InternalEventsTx
from milepost.service.ports.keys import KeysTx
from milepost.service.ports.ledger import LedgerTx
from milepost.service.ports.pools import PoolsTx
from milepost.service.ports.reports import ReportsTx
from milepost.service.ports.rows import (
    POINTS_UNIT,
    BatchWrite,
    ClawableFiring,
    CodeRow,
    Entry,
    EventName,
    FiredMilestone,
    FiringRow,
    InternalEventRow,
    LedgerRow,
    OutboxRow,
    PointsLot,
    WaitRow,
)
from milepost.service.ports.rules import RulesTx
from milepost.service.ports.segments import SegmentsTx
from milepost.service.ports.storage import Storage, Tx
from milepost.service.ports.stores import StoresTx
from milepost.service.ports.sweeps import SweepsTx
from milepost.service.ports.templates import TemplatesTx
from milepost.service.ports.users import UsersTx

__all__ = [
    "POINTS_UNIT",
    "AggregatesTx",
    "AlertsTx",
    "AutomationsTx",
    "BatchTx",
    "BatchWrite",
    "ClawableFiring",
    "CodeRow",
    "CodesTx",
    "DashboardTx",
    "DeliveryTx",
    "EndpointsTx",
    "Entry",
    "EventName",
    "ExpiryTx",
    "FiredMilestone",
    "FiringRow",
    "HourRow",
    "InternalEventRow",
    "InternalEventsTx",
    "KeysTx",
    "LedgerRow",
    "LedgerTx",
    "OutboxRow",
    "PointsLot",
    "PoolsTx",
    "ReportsTx",
    "RulesTx",
    "SegmentsTx",
    "Storage",
    "StoresTx",
    "SweepsTx",
    "TemplatesTx",
    "Tx",
    "UrlCheck",
    "UsersTx",
    "WaitRow",
]
