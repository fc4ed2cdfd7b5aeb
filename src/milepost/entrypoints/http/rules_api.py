"""Order count events: create, list, get, update, switch on/off, delete."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
