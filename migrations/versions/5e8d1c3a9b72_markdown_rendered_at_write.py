"""store user Markdown rendered and sanitised beside its source

Pages rendered and sanitised every post, proposal, official answer and description on every
view. The rendering (render_markdown: markdown-it-py then nh3) is now stored when the text is
written; this migration adds the columns and renders the rows already there.
`flask --app wsgi markdown rerender` does the same again whenever the renderer changes.

Revision ID: 5e8d1c3a9b72
Revises: fc139e8a72f4
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.main.rerender import RenderedColumn, rerender_table

# The columns as of this revision (app.main.rerender.rendered_columns may grow later).
COLUMNS = (RenderedColumn("forum_posts", "body", "body_html"),
           RenderedColumn("proposals", "body", "body_html"),
           RenderedColumn("proposal_status_changes", "answer", "answer_html"),
           RenderedColumn("spaces", "description_md", "description_html"),
           RenderedColumn("surveys", "description_md", "description_html"),
           RenderedColumn("survey_sections", "description_md", "description_html"),
           RenderedColumn("panel_calls", "description_md", "description_html"))


# revision identifiers, used by Alembic.
revision = '5e8d1c3a9b72'
down_revision = 'fc139e8a72f4'
branch_labels = None
depends_on = None


def upgrade():
    columns = COLUMNS
    for column in columns:
        with op.batch_alter_table(column.table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column.html, sa.Text(), server_default='',
                                          nullable=False))
    connection = op.get_bind()
    for column in columns:
        table = sa.table(column.table, sa.column('id', sa.Integer),
                         sa.column(column.source, sa.Text), sa.column(column.html, sa.Text))
        for _progress in rerender_table(connection, table, column.source, column.html, wrap=str):
            pass


def downgrade():
    for column in reversed(COLUMNS):
        with op.batch_alter_table(column.table, schema=None) as batch_op:
            batch_op.drop_column(column.html)
