"""Webhook endpoints of a store: where its webhooks go, what they subscribe to, and
the secrets that sign them (Standard Webhooks)."""

from __future__ import annotations

# The implementation is being written: see the functions bootstrap.Milepost calls.
