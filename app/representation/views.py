from flask import Blueprint
bp = Blueprint("representation", __name__)
# SCAFFOLD
