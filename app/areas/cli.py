from flask.cli import AppGroup
cli = AppGroup("areas")
# SCAFFOLD
