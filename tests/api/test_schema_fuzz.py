"""schemathesis against the OpenAPI document: no input makes the API answer 5xx, and
every response matches what the document promises (status, content type, body).

Operations are walked with schemathesis's Python API and Hypothesis directly (one
`@given` per operation), so the test does not depend on pytest's internals."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from milepost import Milepost

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
EXAMPLES = 25


@pytest.fixture
def seeded(app: FastAPI, mp: Milepost, keys) -> dict[str, str]:
    """Something for the fuzzer to find: an order count event, a customer with a milestone,
    credit and an alert. Returns the admin key's headers."""
    mp.templates.save(keys.store, "vip", subject="Hi {{ customer.name }}", body_text="Thanks")
    mp.order_count_events.create(
        keys.store,
        count=1,
        name="First order",
        actions=[{"type": "alert"}, {"type": "credit", "amount": 500, "currency": "USD"}],
    )
    mp.ingest(keys.store, [{"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 900}])
    return keys.auth("admin")


def test_no_server_error_and_no_broken_response(app: FastAPI, seeded: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # every route of the API is in the document

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck), deadline=None)
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=seeded, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
