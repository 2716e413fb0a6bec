"""furusato resident registration: programmes, registrations, activities

New tables only (nothing existing changes): a municipality's programme, a person's registration
with an area (one per person and area; tiers, statuses and kinds of tie checked), and the
activities premium registrants record for staff to confirm.

Revision ID: fc139e8a72f4
Revises: e4a9c2b71d30
Create Date: 2026-12-07 07:26:13.082487

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fc139e8a72f4'
down_revision = 'e4a9c2b71d30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('description_ja', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('categories', sa.Text(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_furusato_programmes_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_programmes')),
    sa.UniqueConstraint('area_id', name=op.f('uq_furusato_programmes_area_id'))
    )
    op.create_table('furusato_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=True),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('tie_kind', sa.String(length=20), nullable=True),
    sa.Column('premium_requested', sa.Boolean(), nullable=False),
    sa.Column('derived', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('premium_since', sa.Date(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('lapsed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'lapsed', 'left')", name=op.f('ck_furusato_registrations_status_values')),
    sa.CheckConstraint("tie_kind IS NULL OR tie_kind IN ('visits', 'products', 'donations', 'grew_up', 'volunteering', 'side_job', 'dual_region')", name=op.f('ck_furusato_registrations_tie_kind_values')),
    sa.CheckConstraint("tier IN ('basic', 'premium')", name=op.f('ck_furusato_registrations_tier_values')),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_furusato_registrations_valid_order')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_furusato_registrations_area_id_areas')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_furusato_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_registrations')),
    sa.UniqueConstraint('number', name=op.f('uq_furusato_registrations_number')),
    sa.UniqueConstraint('user_id', 'area_id', name='one_per_person_and_area')
    )
    with op.batch_alter_table('furusato_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_registrations_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_registrations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_registrations_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_registrations_valid_until'), ['valid_until'], unique=False)

    op.create_table('furusato_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name=op.f('ck_furusato_activities_decided_when')),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f('ck_furusato_activities_status_values')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_furusato_activities_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['furusato_registrations.id'], name=op.f('fk_furusato_activities_registration_id_furusato_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_activities'))
    )
    with op.batch_alter_table('furusato_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_activities_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_activities_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('furusato_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_activities_status'))
        batch_op.drop_index(batch_op.f('ix_furusato_activities_registration_id'))

    op.drop_table('furusato_activities')
    with op.batch_alter_table('furusato_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_registrations_valid_until'))
        batch_op.drop_index(batch_op.f('ix_furusato_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_furusato_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_furusato_registrations_area_id'))

    op.drop_table('furusato_registrations')
    op.drop_table('furusato_programmes')
