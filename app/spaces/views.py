from flask import Blueprint
bp = Blueprint("spaces", __name__, url_prefix="/spaces")
# SCAFFOLD: replaced by the spaces work
@bp.get("/")
def index(): return "spaces"
@bp.get("/<slug>/")
def detail(slug): return slug
