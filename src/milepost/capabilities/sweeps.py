"""`mp.sweeps`: the periodic passes over every customer that time alone makes due:
inactivity programs and points expiry. Workers run both every `inactivity_interval`;
each is safe to run as often as you like."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.scheduler.expiry import Expiry, expire_points
from milepost.scheduler.inactivity import Inactivity, check_inactivity


class Sweeps(Capability):
    def inactivity(self, stores: list[str] | None = None) -> Inactivity:
        """Fire the inactivity programs whose days a customer's lapse reached (all stores
        unless named)."""
        return check_inactivity(self._w.db, self._w.clock(), self._w.store_ids(stores))

    def points_expiry(self, stores: list[str] | None = None) -> Expiry:
        """Expire the points that came due (all stores unless named), oldest lots first."""
        return expire_points(self._w.db, self._w.clock(), self._w.store_ids(stores))
