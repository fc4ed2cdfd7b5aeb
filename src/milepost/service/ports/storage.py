"""The transaction as one type, and the storage that opens it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from milepost.service.ports.aggregates import AggregatesTx
from milepost.service.ports.alerts import AlertsTx
from milepost.service.ports.automations import AutomationsTx
from milepost.service.ports.batch import BatchTx
from milepost.service.ports.codes import CodesTx
from milepost.service.ports.customers import CustomersTx
from milepost.service.ports.dashboard import DashboardTx
from milepost.service.ports.delivery import DeliveryTx
from milepost.service.ports.endpoints import EndpointsTx
from milepost.service.ports.expiry import ExpiryTx
from milepost.service.ports.keys import KeysTx
from milepost.service.ports.ledger import LedgerTx
from milepost.service.ports.reports import ReportsTx
from milepost.service.ports.rules import RulesTx
from milepost.service.ports.segments import SegmentsTx
from milepost.service.ports.stores import StoresTx
from milepost.service.ports.sweeps import SweepsTx
from milepost.service.ports.templates import TemplatesTx
from milepost.service.ports.users import UsersTx


class Tx(
    BatchTx,
    StoresTx,
    RulesTx,
    TemplatesTx,
    SweepsTx,
    ExpiryTx,
    LedgerTx,
    CodesTx,
    ReportsTx,
    CustomersTx,
    AlertsTx,
    KeysTx,
    EndpointsTx,
    DeliveryTx,
    UsersTx,
    DashboardTx,
    AutomationsTx,
    AggregatesTx,
    SegmentsTx,
    Protocol,
):
    """Everything the services may ask of storage inside one transaction."""


class Storage(Protocol):
    dialect: str
    rule_indexes: dict[int, tuple[int, Any]]  # a cache the service keeps per store, by rules version
    automation_cache: dict[int, tuple[int, Any]]  # the same, of its automations a firing or an event starts
    ingest_lanes: int  # how many batches of a stream may be stored at once (customers shared out)

    def write(self, rollback: bool = False) -> AbstractContextManager[Tx]:
        """A read-write transaction: committed at the end of the block, or with `rollback`
        rolled back (the block's work runs and leaves no trace)."""
        ...

    def read(self) -> AbstractContextManager[Tx]: ...

    def session_lock(self, key: int) -> AbstractContextManager[bool]:
        """A lock on the database held for the block, not waited for: True when got."""
        ...
