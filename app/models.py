"""Imports every model so SQLAlchemy's metadata (and Alembic) sees the whole schema."""
from app.accounts.models import Demographics, RoleAssignment, User  # noqa: F401
from app.admin.models import AuditEntry  # noqa: F401
from app.areas.models import Area, RegionMember  # noqa: F401
from app.forum.models import DigestSent, Post, Reaction, Thread  # noqa: F401
from app.moderation.models import Block, Flag  # noqa: F401
from app.representation.models import (  # noqa: F401
    Body, BodyComposition, Participation, PopulationCount, PopulationSource, Release, Target,
)
from app.spaces.models import Phase, Space  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.surveys.models import (  # noqa: F401
    Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse, SurveySection,
)
from app.proposals.models import (  # noqa: F401
    Proposal, ProposalCategory, ProposalSettings, ProposalStatusChange, ProposalSupport,
)
from app.exports.models import ExportFile  # noqa: F401
from app.panels.models import (  # noqa: F401
    PanelCall, PanelDraw, PanelMember, PanelQuota, PanelVolunteer,
)
from app.furusato.models import (  # noqa: F401
    FurusatoActivity, FurusatoProgramme, FurusatoRegistration,
)
