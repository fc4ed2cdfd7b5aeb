"""Customers: counts, tags, balances, milestones; credit spent and adjusted."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
