"""One transaction's view of the database: the hot-path queries and the rest."""

from __future__ import annotations

from milepost.adapters.storage.batch import BatchQueries
from milepost.adapters.storage.keys import KeyQueries
from milepost.adapters.storage.records import RecordQueries
from milepost.adapters.storage.reports import ReportQueries


class Tx(BatchQueries, RecordQueries, ReportQueries, KeyQueries):
    """Everything the services may ask of storage inside one transaction."""
