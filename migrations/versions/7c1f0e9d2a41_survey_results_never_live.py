"""surveys: no results public while open; existing "live" surveys publish after closing

Public survey results that change with every submission let anyone difference them (poll before
and after one person answers). The "live" setting is removed: surveys that had it keep their
results public, but only once they close, which is the nearest honest reading of what their
facilitators chose. A check constraint keeps the value from coming back.

Revision ID: 7c1f0e9d2a41
Revises: 7c3e9a1d5b20
Create Date: 2026-12-06 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1f0e9d2a41'
down_revision = '7c3e9a1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("UPDATE surveys SET results_visibility = 'after_close' "
                       "WHERE results_visibility NOT IN ('after_close', 'private')"))
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'results_visibility_values', "results_visibility IN ('after_close', 'private')")


def downgrade():
    # The rows changed to 'after_close' stay so: which ones were 'live' is not recorded.
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_surveys_results_visibility_values'), type_='check')
