"""The RQ worker of Hiroba's job queue: `flask --app wsgi jobs worker`.

Each job runs inside an app context of the app that started the worker (its config, its
database session, gettext in the default language), and the context is torn down after the job,
so a job's uncommitted work is rolled back. The forking worker (the default: a job that leaks
memory or hangs dies with its work horse) first drops the database connections it inherited
from the parent, which two processes must never share. `--simple` runs jobs in the worker's own
process (no fork), as the tests do."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from rq import SimpleWorker, Worker

from app.common.jobs import job_queue, queue_url, redis_connection
from app.extensions import db

cli = AppGroup("jobs", help="The background job queue (RQ on REDIS_URL).")


class _InAppContext:
    app: Flask

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


class AppWorker(_InAppContext, Worker):
    """Forks a work horse per job."""

    def main_work_horse(self, job, queue):
        with self.app.app_context():
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        super().main_work_horse(job, queue)


class AppSimpleWorker(_InAppContext, SimpleWorker):
    """Runs each job in its own process and thread (tests, debugging)."""


def make_worker(app: Flask, simple: bool = False):
    worker_class = AppSimpleWorker if simple else AppWorker
    worker = worker_class([job_queue(app)], connection=redis_connection(app))
    worker.app = app
    return worker


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
def worker_command(burst: bool, simple: bool) -> None:
    """Run queued jobs (mail, exports, scheduled checks) until stopped."""
    app = current_app._get_current_object()
    if not queue_url(app):
        raise click.ClickException("No job queue: set REDIS_URL (or JOBS_REDIS_URL).")
    make_worker(app, simple=simple).work(burst=burst, with_scheduler=False)
