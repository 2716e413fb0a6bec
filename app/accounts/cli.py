from flask.cli import AppGroup
cli = AppGroup("users")
# SCAFFOLD
