"""ledger_tallies: stored prefix counts of the ledger's chains

A dashboard of a space with a million participants grouped every ledger row of the space on
every view. A tally per 1,024 people of a chain (cumulative counts by age and gender and by the
target blocks' columns, and the chain's people per week) lets a page read a few tallies and
fewer than a chunk of rows per figure boundary. Derived data: created empty, filled on the next
view (app/representation/tallies.py).

Revision ID: a7d3e9b2c614
Revises: c5e2a8f1d937
Create Date: 2026-12-07 16:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3e9b2c614'
down_revision = 'c5e2a8f1d937'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ledger_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('space_id', sa.Integer(), nullable=False),
        sa.Column('chain', sa.String(length=30), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('weeks', sa.JSON(), nullable=False),
        sa.CheckConstraint('rank > 0', name=op.f('ck_ledger_tallies_rank_positive')),
        sa.ForeignKeyConstraint(['space_id'], ['spaces.id'],
                                name=op.f('fk_ledger_tallies_space_id_spaces'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_tallies')),
        sa.UniqueConstraint('space_id', 'chain', 'rank',
                            name=op.f('uq_ledger_tallies_space_id_chain_rank')),
    )


def downgrade():
    op.drop_table('ledger_tallies')
