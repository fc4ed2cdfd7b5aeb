"""Finding customers and acting on them by hand: the filtered list, tags an operator adds
or removes, the customer's latest events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from milepost.domain.records import CustomerLine
from milepost.errors import ValidationError
from milepost.service import segment_membership
from milepost.service.existing import find_customer
from milepost.service.ports import Storage
from milepost.service.ports.customers import CustomerFilter, EventLine, EventPosition, TagChange

MAX_TAG = 100
MAX_QUERY = 320
EXPORT_PAGE = 1000
MAX_BOUND = 2**62  # an order count or amount no column holds more of


def check_filter(where: CustomerFilter) -> CustomerFilter:
    """`where` with its search trimmed; a bound below zero, a range upside down or a search
    longer than an email address may be is a ValidationError naming the field."""
    problems: dict[str, str] = {}
    if len(where.q) > MAX_QUERY:
        problems["q"] = f"must be at most {MAX_QUERY} characters"
    if where.tag is not None and check_tag(where.tag) is None:
        problems["tag"] = f"must be 1 to {MAX_TAG} characters"
    for low, high in (("min_orders", "max_orders"), ("min_spent", "max_spent")):
        values = getattr(where, low), getattr(where, high)
        for name, value in zip((low, high), values, strict=True):
            if value is not None and value < 0:
                problems[name] = "must be zero or more"
            elif value is not None and value > MAX_BOUND:
                problems[name] = "is too large"
        if None not in values and values[0] > values[1] and not problems:
            problems[high] = f"must not be below {low}"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    tag = where.tag.strip() if where.tag is not None else None
    return CustomerFilter(
        q=where.q.strip(),
        tag=tag,
        min_orders=where.min_orders,
        max_orders=where.max_orders,
        min_spent=where.min_spent,
        max_spent=where.max_spent,
    )


def customer_lines(
    db: Storage, store_id: int, where: CustomerFilter, after: str | None = None, limit: int = 50
) -> list[CustomerLine]:
    """The customers `where` picks, by id; pass the last id seen as `after` for the next page."""
    where = check_filter(where)
    with db.read() as tx:
        return tx.customer_lines(store_id, where, after, limit)


def all_customer_lines(db: Storage, store_id: int, where: CustomerFilter) -> Iterator[CustomerLine]:
    """Every customer `where` picks, by id, read a page at a time (each in its own short
    transaction) as the caller consumes them: an export of a large store holds one page in
    memory, never the store. A bad filter is a ValidationError now, not at the first read."""
    return _pages(db, store_id, check_filter(where))


def _pages(db: Storage, store_id: int, where: CustomerFilter) -> Iterator[CustomerLine]:
    after: str | None = None
    while True:
        with db.read() as tx:
            page = tx.customer_lines(store_id, where, after, EXPORT_PAGE)
        yield from page
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1].external_id


def check_tag(tag: str) -> str | None:
    """The tag as stored (trimmed), or None if it cannot be one."""
    trimmed = tag.strip() if isinstance(tag, str) else ""
    if not trimmed or len(trimmed) > MAX_TAG or "\x00" in trimmed:
        return None
    return trimmed


def _tags(values: Sequence[str], field: str) -> list[str]:
    checked = [check_tag(v) for v in values]
    if any(c is None for c in checked):
        raise ValidationError(f"{field}: a tag is 1 to {MAX_TAG} characters", {field: f"1 to {MAX_TAG} characters"})
    return sorted({c for c in checked if c is not None})


def change_tags(
    db: Storage,
    now: datetime,
    store_id: int,
    customer_id: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    actor: str | None = None,
) -> list[str]:
    """An operator (`actor`) tags the customer and takes tags off (a tag both added and
    removed is a ValidationError); what changed is recorded with who changed it. The
    customer's tags after it. Nothing fires: conditions on tags see the change at the
    customer's next event; their auto segments follow it at once."""
    added, removed = _tags(add, "add"), _tags(remove, "remove")
    both = set(added) & set(removed)
    if both:
        raise ValidationError(f"cannot add and remove {sorted(both)[0]!r} at once", {"remove": "also added"})
    with db.write() as tx:
        tx.lock_store(store_id)
        tx.lock_customers(store_id, [customer_id])
        customer = find_customer(tx, store_id, customer_id)
        before = set(tx.customer_tags(customer.id))
        tx.add_tags(customer.id, added, now)
        tx.remove_tags(customer.id, removed)
        changes = [(t, True) for t in added if t not in before] + [(t, False) for t in removed if t in before]
        tx.record_tag_changes(customer.id, changes, actor, now)
        segment_membership.refresh(tx, store_id, [customer.id], now)  # a tag filter sees the change at once
        return tx.customer_tags(customer.id)


def tag_changes(db: Storage, store_id: int, customer_id: str, limit: int = 20) -> list[TagChange]:
    """The customer's tags added and taken off by hand, newest first."""
    with db.read() as tx:
        return tx.tag_changes(find_customer(tx, store_id, customer_id).id, limit)


def recent_events(
    db: Storage, store_id: int, customer_id: str, limit: int = 20, before: EventPosition | None = None
) -> list[EventLine]:
    """The customer's latest events, newest first; with `before`, those older than that position."""
    with db.read() as tx:
        return tx.customer_events(find_customer(tx, store_id, customer_id).id, limit, before)
