"""Initial schema: users, episodes, daily exposures, saved assessments.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=True),
        sa.Column("muscle", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("activity", sa.String(200), nullable=True),
        sa.Column("relief", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_episodes_user_id", "episodes", ["user_id"])
    op.create_index("ix_episodes_started_at", "episodes", ["started_at"])
    op.create_table(
        "exposures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("exercise_minutes", sa.Float, nullable=True),
        sa.Column("exercise_intensity", sa.String(16), nullable=True),
        sa.Column("sleep_hours", sa.Float, nullable=True),
        sa.Column("fluids_l", sa.Float, nullable=True),
        sa.Column("alcohol_units", sa.Float, nullable=True),
        sa.Column("caffeine_mg", sa.Float, nullable=True),
        sa.Column("cold", sa.Boolean, nullable=True),
        sa.Column("hand_use_hours", sa.Float, nullable=True),
        sa.Column("medicines", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.UniqueConstraint("user_id", "day", name="uq_exposures_user_day"),
    )
    op.create_index("ix_exposures_user_id", "exposures", ["user_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("kb_version", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("triage_level", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_assessments_user_id", "assessments", ["user_id"])
    op.create_index("ix_assessments_created_at", "assessments", ["created_at"])


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("exposures")
    op.drop_table("episodes")
    op.drop_table("users")
