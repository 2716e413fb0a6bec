"""Admin forms. Search and filter forms are GET forms without CSRF (they change nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import ROLES
from app.areas.services import NAME_MAX
from app.common.forms import Form


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class _GetForm(Form):
    class Meta:
        csrf = False


class UserSearchForm(_GetForm):
    q = StringField(_l("E-mail or display name"), validators=[Optional(), _at_most(254)])


KIND_LABELS = {"nation": _l("Nation"), "prefecture": _l("Prefecture"),
               "municipality": _l("Municipality"), "ward": _l("Ward"), "region": _l("Region")}


class AreaSearchForm(_GetForm):
    q = StringField(_l("Code or name"), validators=[Optional(), _at_most(100)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", _l("All kinds"))] + [
        SelectChoice(kind, KIND_LABELS[kind])
        for kind in ("nation", "prefecture", "municipality", "ward")
    ], default="", validators=[Optional()])


# Readable names of the actions the audit log holds; an action missing here shows its code.
AUDIT_ACTION_LABELS = {
    "role.grant": _l("Role granted"),
    "role.revoke": _l("Role revoked"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.block": _l("Person blocked"),
    "user.unblock": _l("Block lifted"),
    "region.create": _l("Region created"),
    "region.update": _l("Region changed"),
    "region.delete": _l("Region deleted"),
    "post.hide": _l("Post hidden"),
    "post.restore": _l("Post restored"),
    "flag.dismiss": _l("Flag dismissed"),
    "thread.pin": _l("Thread pinned"),
    "thread.unpin": _l("Thread unpinned"),
    "thread.lock": _l("Thread locked"),
    "thread.unlock": _l("Thread unlocked"),
    "thread.close": _l("Thread closed"),
    "thread.reopen": _l("Thread reopened"),
    "proposal.answer": _l("Proposal answered"),
    "proposal.status": _l("Proposal status changed"),
    "proposal.merge": _l("Proposal merged"),
    "space.create": _l("Space created"),
    "space.copy": _l("Space copied from a template"),
    "space.update": _l("Space settings changed"),
    "space.modules": _l("Space modules switched"),
    "space.age_settings": _l("Space age settings changed"),
    "phase.create": _l("Phase added"),
    "phase.update": _l("Phase changed"),
    "phase.delete": _l("Phase deleted"),
    "team.add": _l("Added to a space's team"),
    "team.remove": _l("Removed from a space's team"),
    "export.personal_data": _l("Personal data downloaded"),
}


class AuditFilterForm(_GetForm):
    # The choices are the actions present in the log, set by the view.
    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("All actions"))], default="",
                         validate_choice=False, validators=[Optional()])
    actor = StringField(_l("Actor (e-mail or display name)"), validators=[Optional(), _at_most(254)])


ROLE_LABELS = {"facilitator": _l("Facilitator"), "moderator": _l("Moderator"), "admin": _l("Administrator")}


class GrantRoleForm(Form):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[InputRequired(message=_l("Choose a role."))])
    space_slug = StringField(_l("Space address (slug)"), validators=[Optional(), _at_most(60)])


class ConfirmForm(Form):
    """What the confirm_post() macro sends: the CSRF token and a ticked box."""
    confirm = BooleanField(validators=[DataRequired(message=_l("Tick the box to confirm."))])


class RegionForm(Form):
    code = StringField(_l("Region code"), validators=[
        DataRequired(message=_l("Give the region a code.")), _at_most(20)])
    name_ja = StringField(_l("Name in Japanese"), validators=[
        DataRequired(message=_l("Give the region a Japanese name.")), _at_most(NAME_MAX)])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(message=_l("Give the region an English name.")), _at_most(NAME_MAX)])
    members = TextAreaField(_l("Member areas"), validators=[
        DataRequired(message=_l("List the codes of the areas that make up the region."))])


class RegionEditForm(RegionForm):
    code = None  # a region's code never changes: spaces and links refer to it
