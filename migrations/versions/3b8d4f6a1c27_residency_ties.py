"""residency per area: ties to areas replace the one per-account answer (#13)

`users.residency` was one answer per account, asked with no area named, and every space's ledger
snapshot copied it. It is dropped: a person's residency type is now derived per space from the
home area and the ties of `residency_ties` (app/areas/residency.py).

What happens to the old answers, honestly:
- every existing ledger snapshot keeps the residency it recorded (and counts as asked, so nobody
  is asked the one-tap question for a space where they already took part);
- an answer becomes a tie only where its meaning is clear: a non-resident answer ("relationship",
  "dual_region", "commuter", "other") of a person with a home area whose spaces all lie in one
  area, a prefecture, municipality or ward the home does not lie in: the tie is to that area,
  with the old answer as its kind ("relationship" = relationship population, kind not said);
- every other answer is dropped: "resident" (the home says it now), no home area, no space,
  spaces in several areas, a region's space, or a home inside the space's area (the answer
  contradicted the home).
The migration prints how many answers went each way.

Revision ID: 3b8d4f6a1c27
Revises: 9a4f2c7e1b35
Create Date: 2026-12-08 10:00:00

"""
from collections import Counter
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b8d4f6a1c27'
down_revision = '9a4f2c7e1b35'
branch_labels = None
depends_on = None

# Frozen copies (a migration must not change when the app does).
TIE_KINDS = ("works_or_studies", "grew_up", "family", "furusato_donor", "visits",
             "buys_products", "volunteers", "side_job", "relationship", "dual_region",
             "commuter", "other")
NON_RESIDENT_ANSWERS = ("relationship", "dual_region", "commuter", "other")
TIE_AREA_KINDS = ("prefecture", "municipality", "ward")


def upgrade():
    op.create_table(
        'residency_ties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in TIE_KINDS) + ")",
                           name=op.f('ck_residency_ties_kind_known')),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'],
                                name=op.f('fk_residency_ties_area_id_areas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_residency_ties_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_residency_ties')),
        sa.UniqueConstraint('user_id', 'area_id', name=op.f('uq_residency_ties_user_id_area_id')),
    )
    with op.batch_alter_table('residency_ties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residency_ties_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residency_ties_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('residency_asked', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    bind = op.get_bind()
    # Everyone who took part so far was asked (at registration): no one-tap question for them.
    bind.execute(sa.text("UPDATE participations SET residency_asked = :yes"), {"yes": True})
    counts = _answers_to_ties(bind)
    print("residency_ties: old per-account answers: " + ", ".join(
        f"{reason} {counts[reason]}" for reason in (
            "tie created", "resident (the home says it)", "no home area", "no space",
            "spaces in several areas", "space area not a prefecture, municipality or ward",
            "home inside the space's area", "deleted account")))

    # A plain ALTER TABLE (SQLite 3.35+ drops a column in place): batch mode would rebuild
    # `users`, and dropping the old table with foreign keys on would cascade to every row that
    # points at a user.
    op.drop_column('users', 'residency')


def _chain(area_id, parents):
    chain, seen = [], set()
    while area_id is not None and area_id not in seen:
        chain.append(area_id)
        seen.add(area_id)
        area_id = parents.get(area_id)
    return chain


def _answers_to_ties(bind) -> Counter:
    areas = {row.id: row for row in bind.execute(sa.text("SELECT id, parent_id, kind FROM areas"))}
    parents = {area_id: row.parent_id for area_id, row in areas.items()}
    # Each person's spaces, aggregated in SQL: how many distinct areas, and one of them.
    spaces = {row.user_id: (row.areas, row.area_id) for row in bind.execute(sa.text(
        "SELECT p.user_id AS user_id, COUNT(DISTINCT s.area_id) AS areas, "
        "MIN(s.area_id) AS area_id FROM participations p JOIN spaces s ON s.id = p.space_id "
        "WHERE p.user_id IS NOT NULL GROUP BY p.user_id"))}
    counts = Counter()
    ties = []
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for user in bind.execute(sa.text(
            "SELECT id, residency, home_area_id, deleted_at FROM users ORDER BY id")):
        reason, tie = _verdict(user, spaces.get(user.id), areas, parents)
        counts[reason] += 1
        if tie is not None:
            ties.append(tie)
    if ties:
        table = sa.table('residency_ties', sa.column('user_id', sa.Integer),
                         sa.column('area_id', sa.Integer), sa.column('kind', sa.String),
                         sa.column('created_at', sa.DateTime))
        bind.execute(table.insert(), [{**t, "created_at": now} for t in ties])
    return counts


def _verdict(user, spaces, areas, parents):  # noqa: C901 (one reason per branch)
    if user.deleted_at is not None:
        return "deleted account", None
    if user.residency not in NON_RESIDENT_ANSWERS:
        return "resident (the home says it)", None
    if user.home_area_id is None:
        return "no home area", None
    if spaces is None:
        return "no space", None
    distinct, area_id = spaces
    if distinct != 1:
        return "spaces in several areas", None
    if areas[area_id].kind not in TIE_AREA_KINDS:
        return "space area not a prefecture, municipality or ward", None
    if area_id in _chain(user.home_area_id, parents):
        return "home inside the space's area", None
    return "tie created", {"user_id": user.id, "area_id": area_id, "kind": user.residency}


def downgrade():
    # Lossy: one answer per account again, from the person's latest ledger snapshot (else
    # "resident" with a home area, "other" without); the ties are gone.
    # NOT NULL with a default, added in place (see upgrade: no rebuild of `users`).
    op.add_column('users', sa.Column('residency', sa.String(length=20), nullable=False,
                                     server_default='other'))
    op.execute(sa.text(
        "UPDATE users SET residency = COALESCE("
        "(SELECT p.residency FROM participations p WHERE p.user_id = users.id "
        "AND p.residency IS NOT NULL ORDER BY p.first_at DESC LIMIT 1), "
        "CASE WHEN home_area_id IS NULL THEN 'other' ELSE 'resident' END)"))
    op.drop_column('participations', 'residency_asked')
    with op.batch_alter_table('residency_ties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residency_ties_user_id'))
        batch_op.drop_index(batch_op.f('ix_residency_ties_area_id'))
    op.drop_table('residency_ties')
