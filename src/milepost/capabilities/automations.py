"""`mp.automations`: automations (a daily or event trigger, an audience, branches of
actions with on-failure lists) kept per store by key, and their run log.

A definition is the JSON object the HTTP API and the CLI take too (docs/concepts.md
"Automations"): `{"key", "name", "trigger", "audience", "branches", "active_from",
"send_at_local_hour", "active"}`. It is checked when saved; a problem raises
`ValidationError` whose `problems` name each field path, like
`branches[0].actions[1].pool`, and the reason. The daily run (`mp.sweeps.run_daily`)
runs the automations with a daily trigger.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.service import automations, manual_starts
from milepost.service.automations import Run, RunCustomer, RunMiss, Saved
from milepost.service.manual_starts import Start


class Automations(Capability):
    def create(self, store: str, definition: dict[str, Any]) -> Saved:
        """A new automation; Conflict when the store has one with its key already."""
        w = self._w
        return automations.create(w.db, w.clock(), w.store_id(store), definition, w.check_url)

    def update(self, store: str, key: str, definition: dict[str, Any]) -> Saved:
        """Replace the definition of automation `key` (its key stays). What it fired stays
        fired: a customer it fired for on a day never gets that day again."""
        w = self._w
        return automations.update(w.db, w.clock(), w.store_id(store), key, definition, w.check_url)

    def get(self, store: str, key: str) -> Saved:
        """The automation `key`: `.automation` is its definition (`.as_dict()` the JSON), `.id` its rule id."""
        return automations.get(self._w.db, self._w.store(store), key)

    def list(self, store: str) -> list[Saved]:
        """The store's automations, oldest first."""
        return automations.list_all(self._w.db, self._w.store(store))

    def set_active(self, store: str, key: str, active: bool) -> Saved:
        """Switch it on or off; off, the daily run passes it by (the days missed are not made up)."""
        w = self._w
        return automations.set_active(w.db, w.clock(), w.store_id(store), key, active)

    def delete(self, store: str, key: str) -> None:
        """Delete it, whether or not it fired: it stops and leaves the lists, its key may be
        used again; what it did stays in the customers' logs and in the run log."""
        w = self._w
        automations.delete(w.db, w.clock(), w.store_id(store), key)

    def runs(self, store: str, key: str, before: int | None = None, limit: int = 50) -> builtins.list[Run]:
        """Its runs, newest first, each a day: candidates, audience, fired, skipped ("no
        branch") and firings per branch; `before` (a run's id) gives the next page."""
        return automations.runs(self._w.db, self._w.store_id(store), key, before, limit)

    def run(self, store: str, key: str, day: date, after: int = 0, limit: int = 100) -> builtins.list[RunCustomer]:
        """The customers it fired for on `day`: the branch and what each action did (its
        status and detail; `on_failure` on what ran because a pool had no code); `after`
        (a `firing_id`) gives the next page."""
        return automations.run_customers(self._w.db, self._w.store_id(store), key, day, after, limit)

    def misses(self, store: str, key: str, day: date, after: int = 0, limit: int = 100) -> builtins.list[RunMiss]:
        """The customers it reached on `day` and fired nothing for, and why: in the audience
        but in no branch (`no_branch`, with the conditions each branch failed), or the rest of
        a branch after a wait stopped (`left_audience`, `disabled`, `branch_gone`); `after`
        (an `id`) gives the next page."""
        return automations.run_misses(self._w.db, self._w.store_id(store), key, day, after, limit)

    def start(self, store: str, key: str, customer_id: str, request_key: str | None = None, actor: str = "") -> Start:
        """Start automation `key` for the customer now, as a Trigger Workflow action would:
        the audience checked, the branch chosen, its actions fired. `.started` says whether
        it did (`.branch`, `.actions`: what each action did) or why not (`.reason`:
        disabled, not_active_yet, daily_trigger, not_in_audience, no_branch). NotFound for
        an unknown automation or customer. `request_key`: an idempotency key, so that a
        retry starts it once and answers the first start (`.repeated`); Conflict when it
        started another automation or customer. `actor` is kept with the start."""
        w = self._w
        return manual_starts.start(w.db, w.clock(), w.store_id(store), key, customer_id, request_key, actor)
