"""index for the public proposal list: newest first within a space

The list filters on every public status, which the (space, status, published_at) index cannot
return in published order; on a space with thousands of proposals PostgreSQL read and sorted them
all for every page. (space_id, published_at, id) gives the order directly.

Revision ID: 9a4f2c7e1b35
Revises: 5e8d1c3a9b72
Create Date: 2026-12-08 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9a4f2c7e1b35'
down_revision = '5e8d1c3a9b72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_space_published_id',
                              ['space_id', 'published_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_space_published_id')
