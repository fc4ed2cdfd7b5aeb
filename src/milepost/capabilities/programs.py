"""`mp.programs`: milestone programs on any metric, sequential journeys and inactivity
programs; order count events are programs too, and listed here with the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from milepost.capabilities.rules import Rules
from milepost.service.rules import UNSET, NewRule, RuleDetails, Unset


class Programs(Rules):
    kind = None

    def create(
        self,
        store: str,
        *,
        name: str,
        metric: str,
        threshold: int,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        every: int | None = None,
        clawback_days: int | None = None,
    ) -> RuleDetails:
        """A milestone program on `metric` (METRICS: orders, amount spent, reviews, referrals,
        billing cycles, points earned): fires once per customer who crosses `threshold`
        while it is on and inside its window [starts_at, ends_at); with `every`, again at
        threshold + every, + 2 * every, ... ("every 5th order": threshold 5, every 5)."""
        return self._create(
            store,
            NewRule(
                name=name,
                threshold=threshold,
                actions=actions,
                conditions=conditions,
                active=active,
                kind="program",
                metric=metric,
                starts_at=starts_at,
                ends_at=ends_at,
                every=every,
                clawback_days=clawback_days,
            ),
        )

    def create_journey(
        self,
        store: str,
        *,
        name: str,
        steps: list[dict[str, Any]],
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> RuleDetails:
        """A sequential journey: `steps` like [{"metric": "order_count"}, {"metric":
        "review_count"}, {"metric": "referral_count"}] (each "count": 1 unless given), in
        order, each counting only what happens after the previous one; fires once per
        customer when the last is done. A milestone program of kind "journey"."""
        return self._create(
            store,
            NewRule(
                name=name,
                threshold=0,
                actions=actions,
                conditions=conditions,
                active=active,
                kind="journey",
                steps=steps,
                starts_at=starts_at,
                ends_at=ends_at,
            ),
        )

    def create_inactivity(
        self,
        store: str,
        *,
        name: str,
        days: int,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> RuleDetails:
        """Fires for a customer `days` days after their last counted order, once per lapse
        (a new order starts a new one); evaluated by the daily run (`mp.sweeps.run_daily`,
        just after each local midnight) or `mp.sweeps.inactivity`, as of now. Not
        retroactive: the lapse a customer is already `days` into now never fires for them."""
        return self._create(
            store,
            NewRule(
                name=name,
                threshold=days,
                actions=actions,
                conditions=conditions,
                active=active,
                kind="inactivity",
                starts_at=starts_at,
                ends_at=ends_at,
            ),
        )

    def update(
        self,
        store: str,
        program_id: int,
        *,
        threshold: int | Unset = UNSET,
        name: str | Unset = UNSET,
        actions: list[dict[str, Any]] | Unset = UNSET,
        conditions: list[dict[str, Any]] | Unset = UNSET,
        active: bool | Unset = UNSET,
        starts_at: datetime | Unset | None = UNSET,
        ends_at: datetime | Unset | None = UNSET,
        clawback_days: int | Unset | None = UNSET,
    ) -> RuleDetails:
        """Change what is given, for future crossings only (order count events too); what
        is not given stays. `starts_at`/`ends_at` None removes that bound of the window.
        `clawback_days` N takes a milestone's credit and points back (and voids its unused
        codes) when its order is fully refunded or cancelled within N days; 0 or None keeps them."""
        return self._update(
            store,
            program_id,
            threshold=threshold,
            name=name,
            actions=actions,
            conditions=conditions,
            active=active,
            starts_at=starts_at,
            ends_at=ends_at,
            clawback_days=clawback_days,
        )
