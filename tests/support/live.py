"""A real uvicorn server around an ASGI app, on a free local port, in a thread."""

from milepost.testing import serve

__all__ = ["serve"]
