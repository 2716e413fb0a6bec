from flask import Blueprint
bp = Blueprint("accounts", __name__, url_prefix="/auth")
# SCAFFOLD: replaced by the accounts work
@bp.route("/login", methods=["GET", "POST"])
def login(): return "login"
@bp.route("/register", methods=["GET", "POST"])
def register(): return "register"
@bp.post("/logout")
def logout(): return "logout"
@bp.get("/profile")
def profile(): return "profile"
