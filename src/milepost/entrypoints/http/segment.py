"""Segment-compatible tracking: /v1/track, /v1/identify, /v1/batch."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
