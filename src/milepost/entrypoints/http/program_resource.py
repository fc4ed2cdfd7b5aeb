"""What the admin resources over milestone programs share: `/api/v1/programs` and
`/api/v1/order-count-events` (the programs on the number of orders) list, show, edit
and delete the same way, each under ids and models of its own.

Each resource is a `ProgramResource`; `add_routes` gives its router the list, get,
patch and delete operations, and the resource's module keeps what differs (its
models, texts, creation and extra operations).
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the
# handlers `add_routes` makes, and they name the resource's own models.

from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Response

from milepost.entrypoints.http.admin import (
    Admin,
    AdminCaller,
    Cursor,
    Limit,
    ReadCaller,
    cursor_position,
    page,
    problems,
    utc,
)
from milepost.entrypoints.http.schemas.requests import Patch
from milepost.entrypoints.http.schemas.responses import Answer, Page
from milepost.entrypoints.http.wire import PREFIXES, parse_id, public_id
from milepost.entrypoints.program_collections import ProgramCollection
from milepost.errors import NotFound
from milepost.service.rules import RuleDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class Texts:
    """What the OpenAPI document says of each operation."""

    list: str
    list_description: str | None = None
    get: str
    update: str
    update_description: str
    delete: str
    delete_description: str = "It stops for good and is no longer listed; its past milestones stay in the log."


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramResource:
    router: APIRouter
    collection: ProgramCollection
    kind: str  # of its public ids (wire.PREFIXES): `program` for prg_12
    name: str  # of its operations and id parameter: `program` names list_programs, program_id, ...
    param_description: str
    model: type[Answer]
    change: type[Answer]  # the model with `excluded`, for what arms the program
    patch: type[Patch]

    @property
    def param(self) -> str:
        """The path parameter of its id."""
        return f"{self.name}_id"

    def live(self, admin: Admin, public: str) -> RuleDetails:
        """The program, unless it does not exist in the key's store or was deleted."""
        d = self.collection.find(admin.mp, admin.store, parse_id(self.kind, public))
        if d.deleted_at is not None:
            raise NotFound(f"no {self.collection.noun} {public!r} in this store")
        return d

    def created(self, response: Response, d: RuleDetails) -> Any:
        response.headers["Location"] = f"{self.router.prefix}/{public_id(self.kind, d.rule.id)}"
        return self.change.of(d)


def add_routes(res: ProgramResource, texts: Texts) -> None:
    """GET (a page, by threshold then id), GET /{id}, PATCH /{id} and DELETE /{id}."""
    router, programs, model, change, body_model = res.router, res.collection, res.model, res.change, res.patch
    cursor_kind = PREFIXES[res.kind]
    item = "/{" + res.param + "}"
    ItemId = Annotated[str, Path(alias=res.param, description=res.param_description)]

    @router.get(
        "",
        name=f"list_{res.name}s",
        summary=texts.list,
        description=texts.list_description,
        response_model=Page[model],  # type: ignore[valid-type]
        responses=problems(),
    )
    def list_items(admin: ReadCaller, limit: Limit = 50, cursor: Cursor = None) -> Any:
        after = cursor_position(cursor, cursor_kind, int, int)
        found = programs.find_all(admin.mp, admin.store, after=(after[0], after[1]) if after else None, limit=limit + 1)
        kept, next_cursor = page(found, limit, lambda d: [cursor_kind, d.rule.threshold, d.rule.id])
        return Page[model](data=[model.of(d) for d in kept], next_cursor=next_cursor)  # type: ignore[valid-type]

    @router.get(item, name=f"get_{res.name}", summary=texts.get, response_model=model, responses=problems(404))
    def get_item(admin: ReadCaller, item_id: ItemId) -> Any:
        return model.of(res.live(admin, item_id))

    @router.patch(
        item,
        name=f"update_{res.name}",
        summary=texts.update,
        description=texts.update_description,
        response_model=change,
        responses=problems(404, body=True),
    )
    def update_item(admin: AdminCaller, item_id: ItemId, body: body_model) -> Any:  # type: ignore[valid-type]
        rule_id = res.live(admin, item_id).rule.id
        changes: dict[str, Any] = cast(Patch, body).changes()
        for field in ("starts_at", "ends_at"):
            if field in changes:
                changes[field] = utc(changes[field], field)
        return change.of(programs.update(admin.mp, admin.store, rule_id, **changes))

    @router.delete(
        item,
        name=f"delete_{res.name}",
        status_code=204,
        summary=texts.delete,
        description=texts.delete_description,
        response_class=Response,
        responses=problems(404),
    )
    def delete_item(admin: AdminCaller, item_id: ItemId) -> Response:
        programs.delete(admin.mp, admin.store, res.live(admin, item_id).rule.id)
        return Response(status_code=204)
