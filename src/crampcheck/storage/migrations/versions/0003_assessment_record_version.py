"""Saved assessments become versioned records: a ``record_version`` column, and each payload rewritten from the
bare API response (version 0) to the stored-assessment record, version 1 (crampcheck.diary.records).

The conversion is written out here as it was at this revision (a migration is a snapshot: later changes of the
record code must not change what this step did). A payload that is not a JSON object is left as it is, with
version 0, for the program's own reader to report.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DROPPED = ("engine", "next_question", "should_stop", "none_fits_well")

assessments = sa.table(
    "assessments",
    sa.column("id", sa.Integer),
    sa.column("payload", sa.Text),
    sa.column("record_version", sa.Integer),
)


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k not in _DROPPED}
    out["engine_method"] = (data.get("engine") or {}).get("method", "")
    out["record_version"] = 1
    return out


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("record_version", sa.Integer, nullable=False, server_default="0"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(assessments.c.id, assessments.c.payload)).all()
    for row_id, payload in rows:
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(data, dict) or "record_version" in data:
            continue
        conn.execute(
            assessments.update()
            .where(assessments.c.id == row_id)
            .values(payload=json.dumps(_v0_to_v1(data), ensure_ascii=False), record_version=1)
        )


def downgrade() -> None:
    # version 1 records hold everything the report and the FHIR export read; the API fields dropped in the
    # upgrade are not restored (no reader of version 0 needs them), so only the column goes
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("record_version")
