"""Episodes remember where they came from; exposures gain menstrual cycle phase and pregnancy.

Existing episodes get ``source='manual'`` (server default), existing exposure days NULL (not recorded).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="manual"))
    with op.batch_alter_table("exposures") as batch:
        batch.add_column(sa.Column("menstrual_phase", sa.String(16), nullable=True))
        batch.add_column(sa.Column("pregnant", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exposures") as batch:
        batch.drop_column("pregnant")
        batch.drop_column("menstrual_phase")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("source")
