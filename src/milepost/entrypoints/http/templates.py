"""Email templates, named by their key, that the send_email action sends."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Response

from milepost.entrypoints.http.admin import AdminCaller, Cursor, Limit, ReadCaller, cursor_position, page, problems
from milepost.entrypoints.http.schemas.responses import Page
from milepost.entrypoints.http.schemas.templates import Preview, PreviewIn, Template, TemplateIn
from milepost.errors import NotFound

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
TemplateKey = Annotated[str, Path(description="The template's key, like `vip-welcome`.")]
NewKey = Annotated[
    str,
    Path(
        description="Lowercase letters, digits, '.', '-' or '_', at most 100 characters.",
        json_schema_extra={"pattern": KEY_PATTERN, "maxLength": 100},
    ),
]


@router.get("", summary="List the email templates by key", response_model=Page[Template], responses=problems())
def list_templates(admin: ReadCaller, limit: Limit = 50, cursor: Cursor = None) -> Page[Template]:
    after = cursor_position(cursor, "tpl", str)
    found = admin.mp.templates.list(admin.store, after_key=after[0] if after else None, limit=limit + 1)
    kept, next_cursor = page(found, limit, lambda t: ["tpl", t["key"]])
    return Page[Template](data=[Template.of(t) for t in kept], next_cursor=next_cursor)


@router.get("/{key}", summary="One email template", response_model=Template, responses=problems(404))
def get_template(admin: ReadCaller, key: TemplateKey) -> Template:
    return Template.of(admin.mp.templates.get(admin.store, _existing_key(key)))


@router.put(
    "/{key}",
    summary="Create or replace an email template",
    description="Answers 201 when the key is new, 200 when it replaced a template.",
    response_model=Template,
    responses={201: {"description": "Created", "model": Template}, **problems(body=True)},
)
def save_template(admin: AdminCaller, key: NewKey, body: TemplateIn, response: Response) -> Template:
    created = admin.mp.templates.save(
        admin.store, key, subject=body.subject, body_text=body.body_text, name=body.name, body_html=body.body_html
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"{router.prefix}/{key}"
    return Template.of(admin.mp.templates.get(admin.store, key))


@router.post(
    "/{key}/preview",
    summary="Render a template for a customer",
    description="Unknown variables and template code the sandbox refuses are a 422 naming the part and the line.",
    response_model=Preview,
    responses=problems(404, body=True),
)
def preview_template(admin: AdminCaller, key: TemplateKey, body: PreviewIn) -> Preview:
    rendered = admin.mp.templates.preview(admin.store, _existing_key(key), body.customer_id)
    return Preview(subject=rendered.subject, text=rendered.text, html=rendered.html)


@router.delete(
    "/{key}",
    status_code=204,
    summary="Delete an email template",
    description="A template that an order count event still sends cannot be deleted (409).",
    response_class=Response,
    responses=problems(404, 409),
)
def delete_template(admin: AdminCaller, key: TemplateKey) -> Response:
    admin.mp.templates.delete(admin.store, _existing_key(key))
    return Response(status_code=204)


def _existing_key(key: str) -> str:
    """A key no template can have is not found, before any query."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise NotFound(f"no email template {key!r} in this store")
    return key
