"""Health of the dependencies (`/healthz`) and what the site answers while the database is away."""
