"""Diary test fixtures: a fresh embedded SQLite data dir per test, read through the real settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crampcheck.settings import get_settings
from crampcheck.storage.db import close_all


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_USER", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    close_all()
    get_settings.cache_clear()
