"""disclosure control: when each module was first used (module chains of batches), the ranking
index for batches, and frozen public releases

Existing ledger rows get, for every module flag that is set, the time of first participation as
the module's first use: the only time the old ledger kept. Figures filtered by a module are
therefore batched by first participation for people who took part before this migration.

Revision ID: a7c1d2e3f4b5
Revises: 499cb5eaeb5b
Create Date: 2026-12-06 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c1d2e3f4b5'
down_revision = '499cb5eaeb5b'
branch_labels = None
depends_on = None

LEDGER_MODULES = ("forum", "proposals", "proposal_supporters", "surveys", "panel")
INDEXED = ("forum", "proposals", "proposal_supporters", "surveys")


def upgrade():
    with op.batch_alter_table('participations', schema=None) as batch_op:
        for module in LEDGER_MODULES:
            batch_op.add_column(sa.Column(f'{module}_at', sa.DateTime(), nullable=True))
    for module in LEDGER_MODULES:
        op.execute(f"UPDATE participations SET {module}_at = first_at WHERE {module}")
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index('ix_participations_space_first_at')
        batch_op.create_index('ix_participations_space_first_at', ['space_id', 'first_at', 'id'],
                              unique=False)
        for module in INDEXED:
            batch_op.create_index(f'ix_participations_space_{module}_at',
                                  ['space_id', f'{module}_at', 'id'], unique=False)
        for module in LEDGER_MODULES:
            batch_op.create_check_constraint(f'{module}_has_time',
                                             f'NOT {module} OR {module}_at IS NOT NULL')
    op.create_table('representation_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('min_cell', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_representation_releases_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_representation_releases_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_representation_releases')),
    sa.UniqueConstraint('space_id', 'number', name=op.f('uq_representation_releases_space_id_number'))
    )
    with op.batch_alter_table('representation_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_representation_releases_space_id'), ['space_id'], unique=False)


def downgrade():
    with op.batch_alter_table('representation_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_representation_releases_space_id'))
    op.drop_table('representation_releases')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        for module in LEDGER_MODULES:
            batch_op.drop_constraint(op.f(f'ck_participations_{module}_has_time'), type_='check')
        for module in INDEXED:
            batch_op.drop_index(f'ix_participations_space_{module}_at')
        batch_op.drop_index('ix_participations_space_first_at')
        batch_op.create_index('ix_participations_space_first_at', ['space_id', 'first_at'],
                              unique=False)
        for module in LEDGER_MODULES:
            batch_op.drop_column(f'{module}_at')
