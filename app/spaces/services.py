from sqlalchemy import select
from app.spaces.models import Space
# SCAFFOLD
def list_public_spaces(session, limit=None):
    stmt = select(Space).where(Space.visibility == "public").order_by(Space.created_at.desc())
    if limit: stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
