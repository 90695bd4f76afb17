"""One application and test client for the API tests (the knowledge base is compiled once)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c
