"""background exports: large CSVs prepared by a job, kept for their owner until they expire

Revision ID: 4ad947ae7f8a
Revises: 7c1f0e9d2a41
Create Date: 2026-12-07 07:08:30.754163

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4ad947ae7f8a'
down_revision = '7c1f0e9d2a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_export_files_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_files_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_files'))
    )
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.create_index('ix_export_files_expires_at', ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_files_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_files_user_id'))
        batch_op.drop_index('ix_export_files_expires_at')

    op.drop_table('export_files')
