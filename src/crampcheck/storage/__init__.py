"""Persistent storage: SQLAlchemy models, engine/session factory, Alembic migrations and repositories.

SQLite in the user's data directory by default (WAL, ``synchronous=NORMAL``), PostgreSQL when
``CRAMPCHECK_DATABASE_URL`` says so. Every record belongs to a user.
"""

from crampcheck.storage.db import Database, open_database
from crampcheck.storage.models import AssessmentRecord, Base, Episode, Exposure, User

__all__ = ["AssessmentRecord", "Base", "Database", "Episode", "Exposure", "User", "open_database"]
