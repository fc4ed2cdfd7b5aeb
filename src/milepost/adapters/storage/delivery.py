"""The outbox as the worker sees it: claims with leases, attempts, outcomes, the mailbox."""

from __future__ import annotations

from milepost.adapters.storage.base import TxBase


class DeliveryQueries(TxBase):
    pass
