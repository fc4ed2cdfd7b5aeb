"""Webhook endpoints of the store: where its webhooks go, what they subscribe to, and
the secrets that sign them (Standard Webhooks). A secret is never part of the endpoint:
it is answered on creation, on rotation and by `GET .../secret` only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from milepost.domain import delivery as d
from milepost.entrypoints.http.admin import Admin, AdminCaller, Cursor, Limit, ReadCaller, cursor_id, id_page, problems
from milepost.entrypoints.http.schemas.responses import Page
from milepost.entrypoints.http.schemas.webhook_endpoints import (
    WebhookEndpoint,
    WebhookEndpointIn,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
    WebhookSecret,
)
from milepost.entrypoints.http.wire import parse_id, public_id

router = APIRouter(prefix="/api/v1/webhook-endpoints", tags=["webhook endpoints"])

_KIND = "webhook_endpoint"
EndpointId = Annotated[str, Path(description="The webhook endpoint's id, like whe_4.")]


@router.get("", summary="List the webhook endpoints", response_model=Page[WebhookEndpoint], responses=problems())
def list_endpoints(admin: ReadCaller, limit: Limit = 50, cursor: Cursor = None) -> Page[WebhookEndpoint]:
    found = admin.mp.webhooks.list(admin.store, after_id=cursor_id(cursor, "whe"), limit=limit + 1)
    return id_page(WebhookEndpoint, "whe", found, limit)


@router.post(
    "",
    status_code=201,
    summary="Register a webhook endpoint",
    description="Answers the endpoint with its signing `secret` (also readable later with `GET .../secret`). "
    "Another endpoint with the same URL is a 409.",
    response_model=WebhookEndpointWithSecret,
    responses={201: {"headers": {"Location": {"schema": {"type": "string"}}}}, **problems(409, body=True)},
)
def create_endpoint(admin: AdminCaller, body: WebhookEndpointIn, response: Response) -> WebhookEndpointWithSecret:
    endpoint, secret = admin.mp.webhooks.create(
        admin.store, url=body.url, event_types=body.event_types, description=body.description
    )
    response.headers["Location"] = f"{router.prefix}/{public_id(_KIND, endpoint.id)}"
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)


@router.get("/{endpoint_id}", summary="One webhook endpoint", response_model=WebhookEndpoint, responses=problems(404))
def get_endpoint(admin: ReadCaller, endpoint_id: EndpointId) -> WebhookEndpoint:
    return WebhookEndpoint.of(_existing(admin, endpoint_id))


@router.patch(
    "/{endpoint_id}",
    summary="Change a webhook endpoint",
    description="Fields left out stay as they are. A URL that another endpoint has, or a new URL for an "
    "endpoint that an order count event's webhook action sends to, is a 409. Enabling an endpoint "
    "leaves its dead deliveries dead: retry them.",
    response_model=WebhookEndpoint,
    responses=problems(404, 409, body=True),
)
def update_endpoint(admin: AdminCaller, endpoint_id: EndpointId, body: WebhookEndpointPatch) -> WebhookEndpoint:
    number = _existing(admin, endpoint_id).id
    return WebhookEndpoint.of(admin.mp.webhooks.update(admin.store, number, **body.changes()))


@router.delete(
    "/{endpoint_id}",
    status_code=204,
    summary="Delete a webhook endpoint",
    description="Its pending deliveries are parked as dead. While an order count event's webhook action "
    "sends to its URL it cannot be deleted (409).",
    response_class=Response,
    responses=problems(404, 409),
)
def delete_endpoint(admin: AdminCaller, endpoint_id: EndpointId) -> Response:
    admin.mp.webhooks.delete(admin.store, parse_id(_KIND, endpoint_id))
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="Rotate the signing secret",
    description="A new secret signs from now on; for 24 hours the previous one signs too (two signatures "
    "in `webhook-signature`), so receivers can switch without dropping a message.",
    response_model=WebhookEndpointWithSecret,
    responses=problems(404),
)
def rotate_secret(admin: AdminCaller, endpoint_id: EndpointId) -> WebhookEndpointWithSecret:
    endpoint, secret = admin.mp.webhooks.rotate_secret(admin.store, parse_id(_KIND, endpoint_id))
    return WebhookEndpointWithSecret.with_secret(endpoint, secret)


@router.get(
    "/{endpoint_id}/secret",
    summary="The current signing secret",
    description="The newest secret: the one receivers should verify with. An `admin` key only: a `read` key "
    "reads every other GET, never a secret.",
    response_model=WebhookSecret,
    responses=problems(404),
)
def get_secret(admin: AdminCaller, endpoint_id: EndpointId) -> WebhookSecret:
    return WebhookSecret(secret=admin.mp.webhooks.secret(admin.store, parse_id(_KIND, endpoint_id)))


def _existing(admin: Admin, endpoint_id: str) -> d.Endpoint:
    return admin.mp.webhooks.get(admin.store, parse_id(_KIND, endpoint_id))
