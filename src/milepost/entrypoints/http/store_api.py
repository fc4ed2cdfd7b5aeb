"""The key's store: its settings."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
