"""Webhook endpoints: the queries of service/endpoints.py."""

from __future__ import annotations

from milepost.adapters.storage.base import TxBase


class EndpointQueries(TxBase):
    pass
