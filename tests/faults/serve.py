"""The WSGI app the fault tests' gunicorn serves: the production configuration as shipped
(errors handled, not propagated; pool_pre_ping), minus what a plain-HTTP test client cannot do:
CSRF tokens, Secure cookies and rate limits are off. SECRET_KEY and DATABASE_URL come from the
environment, as in production."""
from app import create_app

app = create_app("production", {
    "WTF_CSRF_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
})
