"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import os

from app import create_app
from config import refuse_published_secret_key

app = create_app(os.environ.get("HIROBA_CONFIG", "development"))
refuse_published_secret_key(app.config["SECRET_KEY"], os.environ.get("HIROBA_CONFIG"))
