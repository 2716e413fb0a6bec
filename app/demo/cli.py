from flask.cli import AppGroup
cli = AppGroup("demo")
# SCAFFOLD
