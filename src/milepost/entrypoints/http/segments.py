"""Segments, named by their key: created, listed, changed (name, filters), deleted; their
size and members, paged; and a preview (size and first members) of a definition before
it is saved.

The body is the definition `mp.segments` takes; the domain checks it, and a refused one
is a 422 whose `errors` name each field path (`groups[0].filters[1].op`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from milepost.entrypoints.http.admin import (
    Admin,
    AdminCaller,
    Cursor,
    Limit,
    ReadCaller,
    cursor_position,
    page,
    problems,
)
from milepost.entrypoints.http.schemas.responses import Page
from milepost.entrypoints.http.schemas.segments import (
    DEFINITION_BODY,
    PATCH_BODY,
    PREVIEW_BODY,
    MemberOut,
    PreviewOut,
    SegmentOut,
    SegmentWithSize,
)

router = APIRouter(prefix="/api/v1/segments", tags=["segments"])

Key = Annotated[str, Path(description="The segment's key, like `first_redemption`.", max_length=64)]
Definition = Annotated[dict[str, Any], Body()]
PreviewLimit = Annotated[int, Query(ge=1, le=200, description="How many members to show (1 to 200).")]
_LOCATION = {"headers": {"Location": {"schema": {"type": "string"}}}}


@router.get("", summary="The store's segments by key", response_model=Page[SegmentOut], responses=problems())
def list_segments(admin: ReadCaller) -> Page[SegmentOut]:
    return Page[SegmentOut](data=[SegmentOut.of(s) for s in admin.mp.segments.list(admin.store)], next_cursor=None)


@router.post(
    "",
    status_code=201,
    summary="Create a segment",
    description="The body is the definition (see `SegmentDefinition`). A static segment keeps the members "
    "its filters give now. 409 when the store has a segment with that key.",
    response_model=SegmentWithSize,
    openapi_extra={"requestBody": DEFINITION_BODY},
    responses={201: _LOCATION, **problems(409, body=True)},
)
def create_segment(admin: AdminCaller, body: Definition, response: Response) -> SegmentWithSize:
    saved = admin.mp.segments.create(admin.store, body)
    response.headers["Location"] = f"{router.prefix}/{saved.key}"
    return _sized(admin, saved.key)


@router.post(
    "/preview",
    summary="The size and first members of a definition, not saved",
    description="What a segment with these `filters` or `groups` would hold now: how many customers, and the "
    "first `limit` of them by customer id. Refused like a definition (422 with field paths).",
    response_model=PreviewOut,
    openapi_extra={"requestBody": PREVIEW_BODY},
    responses=problems(body=True),
)
def preview_segment(admin: AdminCaller, body: Definition, limit: PreviewLimit = 10) -> PreviewOut:
    found = admin.mp.segments.preview(admin.store, body, limit)
    return PreviewOut(size=found.size, members=[MemberOut.of(m) for m in found.members])


@router.get(
    "/{segment}", summary="One segment, with its size now", response_model=SegmentWithSize, responses=problems(404)
)
def get_segment(admin: ReadCaller, segment: Key) -> SegmentWithSize:
    return _sized(admin, segment)


@router.patch(
    "/{segment}",
    summary="Change a segment's name or filters",
    description="`name`, and `filters` or `groups` (which replace the segment's); not the key or the kind. "
    "New filters give a static segment a new snapshot, as of now.",
    response_model=SegmentWithSize,
    openapi_extra={"requestBody": PATCH_BODY},
    responses=problems(404, body=True),
)
def update_segment(admin: AdminCaller, segment: Key, body: Definition) -> SegmentWithSize:
    admin.mp.segments.update(admin.store, segment, body)
    return _sized(admin, segment)


@router.delete(
    "/{segment}",
    status_code=204,
    summary="Delete a segment",
    description="409 while another segment names it.",
    response_class=Response,
    responses=problems(404, 409),
)
def delete_segment(admin: AdminCaller, segment: Key) -> Response:
    admin.mp.segments.delete(admin.store, segment)
    return Response(status_code=204)


@router.get(
    "/{segment}/members",
    summary="A segment's members, by customer id",
    description="An auto segment's as its filters say now; a static one's as kept. Pass `next_cursor` as "
    "`cursor` for the next page.",
    response_model=Page[MemberOut],
    responses=problems(404),
)
def list_members(admin: ReadCaller, segment: Key, limit: Limit = 50, cursor: Cursor = None) -> Page[MemberOut]:
    after = cursor_position(cursor, "mem", str)
    found = admin.mp.segments.members(admin.store, segment, after=after[0] if after else None, limit=limit + 1)
    kept, next_cursor = page(found, limit, lambda m: ["mem", m.external_id])
    return Page[MemberOut](data=[MemberOut.of(m) for m in kept], next_cursor=next_cursor)


def _sized(admin: Admin, key: str) -> SegmentWithSize:
    s = admin.mp.segments.get(admin.store, key)
    return SegmentWithSize(**SegmentOut.of(s).model_dump(), size=admin.mp.segments.size(admin.store, key))
