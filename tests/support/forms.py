"""A TestClient that sends diary forms as a browser that opened the page does: with the page's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_token(client: TestClient) -> str:
    """The token a diary form carries for this client's cookies (from the sign-in page, open to anyone)."""
    page = client.get("/diary/signin?lang=en")
    m = TOKEN.search(page.text)
    assert m, "the sign-in form carries no CSRF token"
    return m.group(1)


class BrowserClient(TestClient):
    """``post`` to a /diary page adds the CSRF token the page would have had, unless the test gives one."""

    def post(self, url: Any, *args: Any, data: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if str(url).startswith("/diary") and isinstance(data, dict) and "csrf_token" not in data:
            data = {**data, "csrf_token": csrf_token(self)}
        return super().post(url, *args, data=data, **kwargs)
