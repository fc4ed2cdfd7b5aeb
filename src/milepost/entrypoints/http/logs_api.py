"""The milestone log and admin alerts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
