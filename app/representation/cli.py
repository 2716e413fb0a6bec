from flask.cli import AppGroup
cli = AppGroup("population")
# SCAFFOLD
