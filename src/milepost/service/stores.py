"""Create and change stores."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from milepost.domain.consent import MILESTONE_EMAILS
from milepost.domain.events import COUNTING_STATUSES
from milepost.domain.records import Store
from milepost.errors import Conflict, ValidationError
from milepost.formatting import locale_name
from milepost.service.existing import existing
from milepost.service.ports import Storage

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")
MAX_POINTS_PER_UNIT = 1_000_000
MAX_EXPIRE_DAYS = 36_500  # a hundred years
MAX_URL = 2000
#: settings an empty value clears: the server's default sender, no Reply-To, no logo
CLEARABLE = ("email_from_name", "email_from_address", "reply_to_address", "logo_url")


def validate_store(values: dict[str, Any]) -> dict[str, Any]:
    problems = {}
    if "key" in values and not _KEY.match(values["key"] or ""):
        problems["key"] = "lowercase letters, digits, '-' or '_', at most 64"
    if "name" in values and not (isinstance(values["name"], str) and values["name"].strip()):
        problems["name"] = "is required"
    if "currency" in values and not _CURRENCY.match(values["currency"] or ""):
        problems["currency"] = "must be an ISO 4217 code in capitals, like 'USD'"
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            problems["timezone"] = "must be an IANA time zone, like 'Europe/Paris'"
    if "locale" in values:
        try:
            values["locale"] = locale_name(values["locale"])
        except ValueError as problem:
            problems["locale"] = str(problem)
    if "counting_status" in values and values["counting_status"] not in COUNTING_STATUSES:
        problems["counting_status"] = f"must be one of {', '.join(COUNTING_STATUSES)}"
    if "points_per_unit" in values:
        rate = values["points_per_unit"]
        if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= MAX_POINTS_PER_UNIT:
            problems["points_per_unit"] = f"must be a whole number from 0 (no points) to {MAX_POINTS_PER_UNIT:,}"
    if "points_expire_days" in values:
        days = values["points_expire_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_EXPIRE_DAYS:
            problems["points_expire_days"] = (
                f"must be a whole number of days from 1 to {MAX_EXPIRE_DAYS:,}, or 0: never"
            )
    if "milestone_emails" in values and values["milestone_emails"] not in MILESTONE_EMAILS:
        problems["milestone_emails"] = f"must be one of {', '.join(MILESTONE_EMAILS)}"
    for flag in ("allow_negative_credit", "allow_negative_points"):
        if flag in values and not isinstance(values[flag], bool):
            problems[flag] = "must be true or false"
    if "email_from_name" in values:
        name = values["email_from_name"]
        if not isinstance(name, str) or len(name) > 200 or any(c in name for c in "\r\n\x00"):
            problems["email_from_name"] = "must be one line of at most 200 characters"
    for name in ("email_from_address", "reply_to_address"):
        if name in values and values[name] != "" and not _is_address(values[name]):
            problems[name] = "must be an email address, like 'hello@shop.example'"
    if "logo_url" in values and values["logo_url"] != "" and not _is_logo_url(values["logo_url"]):
        problems["logo_url"] = f"must be an https:// address of an image, at most {MAX_URL:,} characters"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    return values


def _is_address(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 320 and _ADDRESS.match(value) is not None


def _is_logo_url(value: object) -> bool:
    """An absolute https URL with a host, on one line: what an email client will load."""
    if not isinstance(value, str) or len(value) > MAX_URL or any(c.isspace() or c in '"<>' for c in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a broken host or port
        return False


def _cleared(values: dict[str, Any]) -> dict[str, Any]:
    """An empty sender, Reply-To or logo is none: stored as NULL."""
    return {k: (None if k in CLEARABLE and v == "" else v) for k, v in values.items()}


def create_store(db: Storage, now: datetime, settings: dict[str, Any]) -> Store:
    """A new store with these settings (its key, name and those `mp.stores.create` names)."""
    values = _cleared(validate_store(dict(settings)))
    values.update(_expiry(values.pop("points_expire_days"), now))
    with db.write() as tx:
        if tx.store_by_key(values["key"]) is not None:
            raise Conflict(f"a store with the key {values['key']!r} exists already")
        return tx.insert_store({**values, "created_at": now, "updated_at": now})


def update_store(db: Storage, now: datetime, store_id: int, **changes: Any) -> Store:
    values = _cleared(validate_store({k: v for k, v in changes.items() if v is not None}))
    if "key" in values:
        raise ValidationError("a store's key cannot change", {"key": "cannot change"})
    with db.write() as tx:
        store = tx.lock_store(store_id, exclusive=True)
        if values.get("counting_status", store.counting_status) != store.counting_status and tx.store_has_orders(
            store_id
        ):
            raise Conflict("the counting status cannot change once orders are stored: every order count would change")
        if values.get("currency", store.currency) != store.currency and tx.store_has_money(store_id):
            raise Conflict("the currency cannot change once orders or credit are stored: their amounts are in it")
        if "points_expire_days" in values:
            days = values.pop("points_expire_days")
            if (days or None) != store.points_expire_days:
                values.update(_expiry(days, now))
        tx.update_store(store_id, {**values, "updated_at": now})
        changed = tx.store(store_id)
    assert changed is not None  # read back in the transaction that changed it
    return changed


def _expiry(days: int, now: datetime) -> dict[str, Any]:
    """A new points expiry period (0: never): points earned before it count from now,
    so setting or shortening it never expires points at once; the sweep starts over."""
    if not days:
        return {"points_expire_days": None, "points_expire_since": None, "points_expired_until": None}
    return {"points_expire_days": days, "points_expire_since": now, "points_expired_until": None}


def store_by_key(db: Storage, key: str) -> Store:
    with db.read() as tx:
        return existing(tx.store_by_key(key), f"no store with the key {key!r}")
