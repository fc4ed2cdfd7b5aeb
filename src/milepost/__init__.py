"""Milepost: customer milestones and lifecycle automation, exactly once."""

from milepost.bootstrap import Milepost, connect

__all__ = ["Milepost", "connect"]
__version__ = "0.1.0"
