"""Imports every model so SQLAlchemy's metadata (and Alembic) sees the whole schema."""
from app.accounts.models import Demographics, RoleAssignment, User  # noqa: F401
from app.areas.models import Area, RegionMember  # noqa: F401
from app.representation.models import Participation  # noqa: F401
from app.spaces.models import Phase, Space  # noqa: F401
