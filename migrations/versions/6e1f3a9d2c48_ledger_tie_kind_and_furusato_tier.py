"""ledger: the tie kind that gave the residency type, and the furusato tier for the space (#13)

Two columns of the participation snapshot, each with a CHECK on its values:
- `tie_kind`: the kind of the residency tie that gave the row's residency type (NULL for
  residents and where unknown). Backfilled only where SQL can say it for sure: the row's person
  has a tie to the space's own area (rule 2a of app/areas/residency.py: such a tie always wins)
  that existed already at the first participation (created_at <= first_at: ties are never
  edited, only removed and added again) and whose category is the residency the row recorded.
  Every other row (ties to areas inside the space's area, region spaces, ties made later or by
  the migration of the old per-account answers, removed ties) stays NULL: the tie that was
  chosen then cannot be known now.
- `furusato_tier`: 'none', 'basic' or 'premium', from the person's furusato registrations as
  they stand now that were in force at the first participation (valid on its Japan-time date,
  not lapsed or left before it; premium only from premium_since) with the space's area or an
  area inside it. NULL for rows whose person deleted their account.
The migration prints how many rows got a tie kind and how many stayed unknown.

Revision ID: 6e1f3a9d2c48
Revises: 3b8d4f6a1c27
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e1f3a9d2c48'
down_revision = '3b8d4f6a1c27'
branch_labels = None
depends_on = None

# Frozen copies (a migration must not change when the app does).
RELATIONSHIP_KINDS = ("works_or_studies", "grew_up", "family", "furusato_donor", "visits",
                      "buys_products", "volunteers", "side_job", "relationship")
OWN_KINDS = ("dual_region", "commuter", "other")  # kinds that are their own category
TIERS = ("none", "basic", "premium")
CHAIN_DEPTH = 5


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


TIE_KIND_CHECK = "tie_kind IS NULL OR " + " OR ".join(
    [f"(residency = '{k}' AND tie_kind IN ('{k}'))" for k in sorted(OWN_KINDS)]
    + [f"(residency = 'relationship' AND tie_kind IN ({_quoted(RELATIONSHIP_KINDS)}))"])
TIER_CHECK = f"furusato_tier IS NULL OR furusato_tier IN ({_quoted(TIERS)})"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # ADD COLUMN with its CHECK in place: a batch rebuild of `participations` would drop the
        # old table with foreign keys on, setting survey responses' participation links NULL.
        op.execute(sa.text("ALTER TABLE participations ADD COLUMN tie_kind VARCHAR(20) "
                           f"CONSTRAINT ck_participations_tie_kind_values CHECK ({TIE_KIND_CHECK})"))
        op.execute(sa.text("ALTER TABLE participations ADD COLUMN furusato_tier VARCHAR(10) "
                           "CONSTRAINT ck_participations_furusato_tier_values "
                           f"CHECK ({TIER_CHECK})"))
    else:
        op.add_column('participations', sa.Column('tie_kind', sa.String(length=20), nullable=True))
        op.add_column('participations', sa.Column('furusato_tier', sa.String(length=10),
                                                  nullable=True))
        op.create_check_constraint(op.f('ck_participations_tie_kind_values'), 'participations',
                                   TIE_KIND_CHECK)
        op.create_check_constraint(op.f('ck_participations_furusato_tier_values'),
                                   'participations', TIER_CHECK)
    _backfill_tie_kind(bind)
    _backfill_tier(bind)
    counts = dict(bind.execute(sa.text(
        "SELECT CASE WHEN residency IS NULL OR residency = 'resident' THEN 'no tie' "
        "WHEN tie_kind IS NULL THEN 'unknown' ELSE 'known' END AS c, COUNT(*) "
        "FROM participations GROUP BY c")).all())
    tiers = dict(bind.execute(sa.text(
        "SELECT COALESCE(furusato_tier, 'unknown') AS t, COUNT(*) FROM participations "
        "GROUP BY t")).all())
    print(f"participations.tie_kind: backfilled {counts.get('known', 0)}, left unknown "
          f"(NULL: the tie chosen then cannot be known now) {counts.get('unknown', 0)}, "
          f"resident or residency unknown {counts.get('no tie', 0)}")
    print("participations.furusato_tier: " + ", ".join(
        f"{tier} {tiers.get(tier, 0)}" for tier in (*TIERS, "unknown")))


def _backfill_tie_kind(bind):
    matches = (f"((t.kind IN ({_quoted(RELATIONSHIP_KINDS)}) AND participations.residency = "
               f"'relationship') OR (t.kind IN ({_quoted(OWN_KINDS)}) AND "
               "participations.residency = t.kind))")
    bind.execute(sa.text(
        "UPDATE participations SET tie_kind = (SELECT t.kind FROM residency_ties t "
        "JOIN spaces s ON s.area_id = t.area_id WHERE s.id = participations.space_id "
        "AND t.user_id = participations.user_id AND t.created_at <= participations.first_at "
        f"AND {matches}) "
        "WHERE user_id IS NOT NULL AND residency IS NOT NULL AND residency <> 'resident'"))


def _backfill_tier(bind):
    if bind.dialect.name == "postgresql":
        day = "CAST(participations.first_at + interval '9 hours' AS date)"
    else:
        day = "date(participations.first_at, '+9 hours')"
    chain = [f"a{i}.id" for i in range(CHAIN_DEPTH)]
    joins = " ".join(f"LEFT JOIN areas a{i} ON a{i}.id = a{i - 1}.parent_id"
                     for i in range(1, CHAIN_DEPTH))
    ids = ", ".join(chain)
    in_force = (
        f"r.user_id = participations.user_id AND r.valid_from <= {day} "
        f"AND r.valid_until >= {day} AND (r.status = 'active' "
        "OR (r.status = 'left' AND r.left_at > participations.first_at) "
        "OR (r.status = 'lapsed' AND r.lapsed_at > participations.first_at)) "
        "AND EXISTS (SELECT 1 FROM spaces s JOIN areas a0 ON a0.id = r.area_id "
        f"{joins} WHERE s.id = participations.space_id AND (s.area_id IN ({ids}) "
        "OR EXISTS (SELECT 1 FROM region_members m WHERE m.region_id = s.area_id "
        f"AND m.area_id IN ({ids}))))")
    premium = f"r.tier = 'premium' AND (r.premium_since IS NULL OR r.premium_since <= {day})"
    bind.execute(sa.text(
        "UPDATE participations SET furusato_tier = CASE "
        f"WHEN EXISTS (SELECT 1 FROM furusato_registrations r WHERE {in_force} AND {premium}) "
        "THEN 'premium' "
        f"WHEN EXISTS (SELECT 1 FROM furusato_registrations r WHERE {in_force}) THEN 'basic' "
        "ELSE 'none' END WHERE user_id IS NOT NULL"))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_participations_furusato_tier_values'), 'participations',
                           type_='check')
        op.drop_constraint(op.f('ck_participations_tie_kind_values'), 'participations',
                           type_='check')
    # SQLite (3.35+) drops a column in place unless a table CHECK names it; these CHECKs are the
    # columns' own, so DROP COLUMN works without a rebuild.
    op.drop_column('participations', 'furusato_tier')
    op.drop_column('participations', 'tie_kind')
