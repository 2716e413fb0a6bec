"""spaces.participation: who may take part, everyone or the area's residents and furusato
registrants only (#13). Existing spaces stay open to everyone.

Revision ID: 5e2a9d7c4b18
Revises: 6e1f3a9d2c48
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "5e2a9d7c4b18"
down_revision = "6e1f3a9d2c48"
branch_labels = None
depends_on = None


def upgrade():
    # One plain ALTER TABLE, valid on PostgreSQL and SQLite alike (a column constraint may come
    # with ADD COLUMN). Batch mode would rebuild `spaces` on SQLite, and dropping the old table
    # would cascade to every row that references a space.
    op.execute("ALTER TABLE spaces ADD COLUMN participation VARCHAR(20) DEFAULT 'everyone' "
               "NOT NULL CONSTRAINT ck_spaces_participation_values "
               "CHECK (participation IN ('everyone', 'area_people'))")


def downgrade():
    # The column's CHECK goes with it (PostgreSQL and SQLite alike).
    op.drop_column("spaces", "participation")
