"""The HTTP API (FastAPI): ``create_app()`` builds it; see :mod:`crampcheck.api.app`."""

from crampcheck.api.app import create_app

__all__ = ["create_app"]
