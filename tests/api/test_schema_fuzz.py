"""schemathesis against the OpenAPI document: no input makes the API answer 5xx, and
every response matches what the document promises (status, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from milepost import Milepost

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture
def api_schema(app: FastAPI, mp: Milepost, keys) -> schemathesis.BaseSchema:
    # Something to find: an order count event, a customer with a milestone, an alert.
    mp.save_template(keys.store, "vip", subject="Hi {{ customer.name }}", body_text="Thanks")
    mp.create_order_count_event(
        keys.store,
        count=1,
        name="First order",
        actions=[{"type": "alert"}, {"type": "credit", "amount": 500, "currency": "USD"}],
    )
    mp.ingest(keys.store, [{"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 900}])
    app.state.fuzz_auth = keys.auth("admin")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_server_error_and_no_broken_response(case: schemathesis.Case, app: FastAPI) -> None:
    case.call_and_validate(headers=app.state.fuzz_auth, checks=CHECKS)
