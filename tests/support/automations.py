"""The first-purchase anniversary automation as the tests define it (issue 22's example):
the one that ships (domain/automation_examples.py), active from 2025 and sending at once."""

from __future__ import annotations

import copy
from typing import Any

from milepost.domain.automation_examples import ANNIVERSARY as SHIPPED
from milepost.domain.automation_examples import POOL

ANNIVERSARY = SHIPPED["key"]
__all__ = ["ANNIVERSARY", "POOL", "anniversary"]


def anniversary(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SHIPPED), "active_from": "2025-01-01", "send_at_local_hour": None, **changes}
