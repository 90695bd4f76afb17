"""One application and test client for the API tests (the knowledge base is compiled once)."""

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.settings import get_settings


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    saved = {k: os.environ.get(k) for k in ("CRAMPCHECK_DATA_DIR", "CRAMPCHECK_DATABASE_URL")}
    os.environ["CRAMPCHECK_DATA_DIR"] = str(tmp_path_factory.mktemp("api-data"))  # never the real diary
    os.environ.pop("CRAMPCHECK_DATABASE_URL", None)
    get_settings.cache_clear()
    try:
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            yield c
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()
