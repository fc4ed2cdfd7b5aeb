"""Events: the store's event catalogue, every event name it has seen (built-in types,
custom events' names, Milepost's internal events) with count and last seen; each internal
name links to what it says and the fields of its payload, listed below it. Agents and
Administrators alike."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.entrypoints.web import auth, render
from milepost.entrypoints.web.auth import SignedIn

router = APIRouter()
PATH = "/{store}/events"  # under the UI's /admin


@router.get(PATH)
def event_names(request: Request, store: str, session: SignedIn) -> Response:
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    return render.page(
        request,
        "event_names.html",
        session,
        store=found,
        names=mp.events.names(store),
        internal=mp.events.internal(),
        section="event-names",
    )
