from flask import Blueprint
bp = Blueprint("admin", __name__, url_prefix="/admin")
# SCAFFOLD
@bp.get("/")
def index(): return "admin"
