"""survey_answers.survey_id: results select a survey's answers by index

Answers had no survey id, so every results aggregate joined all of a survey's responses to all
answers and PostgreSQL scanned survey_answers for it. The id is copied from the answer's
response (backfilled here, written with every answer by the service) and indexed with the
question and option the aggregates group by.

Revision ID: c5e2a8f1d937
Revises: 5e2a9d7c4b18
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e2a8f1d937'
down_revision = '5e2a9d7c4b18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE survey_answers SET survey_id = (SELECT survey_responses.survey_id "
        "FROM survey_responses WHERE survey_responses.id = survey_answers.response_id)")
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.alter_column('survey_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_survey_answers_survey_id_surveys'),
                                    'surveys', ['survey_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_survey_answers_survey_question_option',
                              ['survey_id', 'question_id', 'option_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_survey_question_option')
        batch_op.drop_constraint(batch_op.f('fk_survey_answers_survey_id_surveys'),
                                 type_='foreignkey')
        batch_op.drop_column('survey_id')
