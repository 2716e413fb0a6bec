"""Load benchmark: gunicorn (gunicorn.conf.py) on 127.0.0.1 against the generated PostgreSQL data
set and Redis, driven by wrk (Debian's `wrk`) at 16 connections for a fixed time per URL.

    python benchmarks/load.py [--duration 10] [--connections 16] [--users 100000]
                              [--warmup 2] [--only TEXT ...]
                              [--database-url URL] [--redis-url URL] [--port 8765]

Each URL gets `--warmup` seconds of the same load first, not counted, so that every gunicorn
worker has drawn the page once (compiled its templates, filled SQLAlchemy's statement cache):
otherwise the first request on each worker lands in the measured p99.

If the database has no scale data set it is created and filled first
(`flask db upgrade` and `flask demo scale --users N`). Prints, per URL: requests/s, p50, p99,
errors (answers with another status than expected, 200 or the support's 303, and socket
errors) and each read page's throughput as a share of
/healthz measured in the same run.

The server runs with HIROBA_CONFIG=production, rate limits ON and counted in Redis, but with
the API limit raised to 10,000,000 per minute: wrk is one client, and the per-client API limit
(120/min) would otherwise turn the run into 429s. The logged-in pages get the session cookie of
a real login (CSRF token read from the login form); the support POST sends the session's CSRF
token and supports a different open proposal on every request (wrk Lua), and the benchmark
checks afterwards how many supports were really written. The server logs as in production
(JSON lines, access log included), into /dev/null.
"""
from __future__ import annotations

import argparse
import html.parser
import json
import os
import secrets
import shutil
import subprocess  # nosec B404: runs gunicorn, flask and wrk, all from this checkout or PATH
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/hiroba_scale"
FACILITATOR = "scale-facilitator@example.jp"
SUPPORTER = "scale-supporter@example.jp"
PASSWORD = "hiroba-scale-2026"

AGENT = "hiroba-load-benchmark"
# Every answer whose status is not the expected one counts as an error (a logged-in page that
# redirects to the login form would otherwise look fast and fine).
REPORT_LUA = """
local threads = {}
setup = function(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
unexpected = 0
response = function(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do errors = errors + thread:get("unexpected") end
  io.write(string.format('JSON:{"requests": %d, "seconds": %f, "p50": %f, "p99": %f, ' ..
    '"errors": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def sql_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def run_sql(url: str, query: str, *params):
    import psycopg

    with psycopg.connect(sql_url(url), autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlsplit(sql_url(url))
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def flask(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True)  # nosec B603


def ensure_data(url: str, users: int, env: dict) -> None:
    ensure_database(url)
    flask(env, "db", "upgrade")
    found = run_sql(url, "SELECT count(*) FROM users WHERE email = %s", FACILITATOR)[0][0]
    if found:
        return
    print(f"No scale data set in the database: generating it (--users {users}) ...")
    flask(env, "demo", "scale", "--users", str(users))


class Inputs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        if tag == "meta" and attrs.get("name") == "csrf-token":
            self.values.setdefault("csrf_token", attrs.get("content") or "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _session_cookie(headers) -> str | None:
    for header in headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return None


def log_in(base: str, email: str) -> tuple[str, str]:
    """A real login through the form; returns (Cookie header, CSRF token of that session).
    The cookie is read from Set-Cookie by hand: it is Secure (production) and we speak http."""
    opener = urllib.request.build_opener(NoRedirect)
    page = opener.open(urllib.request.Request(  # nosec B310: our own server on 127.0.0.1
        f"{base}/auth/login", headers={"User-Agent": AGENT}))
    cookie = _session_cookie(page.headers)
    form = Inputs()
    form.feed(page.read().decode())
    data = urllib.parse.urlencode({"csrf_token": form.values["csrf_token"], "email": email,
                                   "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/auth/login", data=data,
                                     headers={"Cookie": cookie, "User-Agent": AGENT})
    try:
        opener.open(request)  # nosec B310
        raise SystemExit(f"login of {email} did not redirect")
    except urllib.error.HTTPError as answer:
        if answer.code not in (302, 303):
            raise SystemExit(f"login of {email} answered {answer.code}") from answer
        cookie = _session_cookie(answer.headers) or cookie
    page = urllib.request.urlopen(urllib.request.Request(  # nosec B310
        f"{base}/auth/profile", headers={"Cookie": cookie, "User-Agent": AGENT}))
    # The form's token is kept in the session: the page sends the session back with it.
    cookie = _session_cookie(page.headers) or cookie
    form = Inputs()
    form.feed(page.read().decode())
    return cookie, form.values.get("csrf_token", "")


def wrk(url: str, seconds: int, connections: int, lua: str, expected: int = 200) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.headers["User-Agent"] = "{AGENT}"\nexpected = {expected}\n'
                     + REPORT_LUA + lua)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout",
                              "10s", "-s", script.name, url], capture_output=True, text=True,
                             check=True).stdout  # nosec B603 B607
    finally:
        os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("JSON:"))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def check(base: str, path: str, cookie: str | None, expected: int = 200) -> None:
    """One request before the load: a page that answers a redirect or an error would be
    measured as fast and error-free, so refuse to measure it."""
    headers = {"User-Agent": AGENT, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(base + path, headers=headers)
    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status  # nosec B310
    except urllib.error.HTTPError as answer:
        status = answer.code
    if status != expected:
        raise SystemExit(f"{path} answered {status}, not {expected}: not measured")


def cookie_lua(cookie: str) -> str:
    return f'wrk.headers["Cookie"] = "{cookie}"\n'


def support_lua(cookie: str, token: str, targets: list[tuple[str, int]]) -> str:
    """Each wrk thread walks its own half of the open proposals, one support per request."""
    paths = ",".join(f'"/spaces/{slug}/proposals/{pid}/support"' for slug, pid in targets)
    body = urllib.parse.urlencode({"csrf_token": token})
    return f"""
local paths = {{{paths}}}
local counter = 0
init = function(args) counter = offset end
request = function()
  local path = paths[(counter % #paths) + 1]
  counter = counter + 2
  return wrk.format("POST", path, {{["Cookie"] = "{cookie}", ["User-Agent"] = "{AGENT}",
    ["Content-Type"] = "application/x-www-form-urlencoded"}}, "{body}")
end
"""


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # nosec B603
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:  # nosec B310
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def targets(url: str) -> dict:
    space = run_sql(url, "SELECT id, slug FROM spaces WHERE slug = 'scale-01'")[0]
    proposals = run_sql(url, "SELECT count(*) FROM proposals WHERE space_id = %s "
                        "AND status <> 'draft'", space[0])[0][0]
    thread = run_sql(url, "SELECT id, reply_count FROM forum_threads WHERE space_id = %s AND "
                     "module = 'forum' ORDER BY reply_count = 200 DESC, reply_count DESC LIMIT 1", space[0])[0]
    survey = run_sql(url, "SELECT id FROM surveys WHERE space_id = %s", space[0])[0][0]
    open_ = run_sql(url, """SELECT s.slug, p.id FROM proposals p JOIN spaces s ON s.id = p.space_id
        WHERE p.status IN ('published', 'under_review') AND NOT EXISTS (
          SELECT 1 FROM proposal_supports x JOIN users u ON u.id = x.user_id
          WHERE x.proposal_id = p.id AND u.email = %s) ORDER BY p.id LIMIT 20000""", SUPPORTER)
    pages = max(1, -(-proposals // 20))
    # The last proposal of the page before the deep one: the cursor its Next link carries
    # (the list pages by keyset, newest first, 20 a page; merged proposals are not listed).
    cursor = run_sql(url, "SELECT id FROM proposals WHERE space_id = %s AND status NOT IN "
                     "('draft', 'merged') ORDER BY published_at DESC, id DESC "
                     "OFFSET %s LIMIT 1", space[0], (min(500, pages) - 1) * 20 - 1)
    return {"slug": space[1], "proposal_pages": pages, "thread": thread,
            "survey": survey, "open": open_, "cursor": cursor[0][0] if cursor else None}


def supports_of(url: str) -> int:
    return run_sql(url, "SELECT count(*) FROM proposal_supports s JOIN users u ON "
                   "u.id = s.user_id WHERE u.email = %s", SUPPORTER)[0][0]


def arguments(doc: str) -> argparse.ArgumentParser:
    """The options both benchmarks take: where the data and Redis are, and how long and how
    wide wrk drives the server."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SCALE_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("SCALE_REDIS_URL",
                                                              "redis://127.0.0.1:6379/14"))
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of load per URL before it is measured, not counted: every "
                             "worker draws each page once first (0: measure from cold)")
    return parser


def wanted(args, label: str) -> bool:
    return not getattr(args, "only", None) or any(t in label for t in args.only)


def server_env(args, **extra: str) -> tuple[str, dict]:
    """The server's address and the environment it runs in: production settings against the
    scale database and Redis. Refuses to start without wrk."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    base = f"http://127.0.0.1:{args.port}"
    return base, {**os.environ, "HIROBA_CONFIG": "production",
                  "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": args.database_url,
                  "REDIS_URL": args.redis_url, "HIROBA_BASE_URL": base, **extra}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--users", type=int, default=100_000,
                        help="size of the data set to generate when there is none")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="measure only the pages whose label contains TEXT (repeatable); "
                             "/healthz is always measured, as the ceiling")
    args = parser.parse_args()
    base, env = server_env(args, API_RATE_LIMIT="10000000 per minute")
    ensure_data(args.database_url, args.users, env)
    found = targets(args.database_url)
    slug, page = found["slug"], min(500, found["proposal_pages"])
    server = start_server(env, args.port)
    try:
        facilitator_cookie, _ = log_in(base, FACILITATOR)
        supporter_cookie, token = log_in(base, SUPPORTER)
        thread_id, replies = found["thread"]
        reads = [
            ("/healthz", "/healthz", ""),
            ("/", "/", ""),
            ("space page", f"/spaces/{slug}/", ""),
            ("proposal list, page 1", f"/spaces/{slug}/proposals/", ""),
            (f"proposal list, page {page}", f"/spaces/{slug}/proposals/?page={page}"
             + (f"&after={found['cursor']}" if found["cursor"] else ""), ""),
            (f"thread ({replies} replies)", f"/spaces/{slug}/forum/threads/{thread_id}", ""),
            ("dashboard (facilitator)", f"/spaces/{slug}/representation/", facilitator_cookie),
            ("transparency page", f"/spaces/{slug}/transparency", ""),
            ("representation API", f"/api/v1/spaces/{slug}/representation", ""),
            ("survey results API", f"/api/v1/surveys/{found['survey']}/results", ""),
        ]
        reads = [r for r in reads if r[0] == "/healthz" or wanted(args, r[0])]
        results = []
        for label, path, cookie in reads:
            check(base, path, cookie or None)
            lua = cookie_lua(cookie) if cookie else ""
            if args.warmup:  # every worker draws the page once (templates, statement cache)
                wrk(base + path, args.warmup, args.connections, lua)
            results.append((label, wrk(base + path, args.duration, args.connections, lua)))
            print(f"  measured {label}", file=sys.stderr)
        post = None
        if wanted(args, "support POST"):
            targets_ = found["open"]
            if args.warmup:  # the warm-up's supports are not counted: it takes the last ones
                wrk(base + "/", args.warmup, args.connections,
                    support_lua(supporter_cookie, token, targets_[len(targets_) // 2:]),
                    expected=303)
                targets_ = targets_[:len(targets_) // 2]
            before = supports_of(args.database_url)
            post = wrk(base + "/", args.duration, args.connections,
                       support_lua(supporter_cookie, token, targets_), expected=303)
            written = supports_of(args.database_url) - before
            results.append(("support POST (logged in)", post))
    finally:
        server.terminate()
        server.wait(timeout=30)

    ceiling = results[0][1]["rps"]
    cores = os.cpu_count()
    print(f"\n{args.connections} connections, {args.duration} s per URL, {cores} cores, "
          f"gunicorn workers={os.environ.get('GUNICORN_WORKERS', 'default')}\n")
    print("| page | req/s | share of /healthz | p50 | p99 | errors |")
    print("|---|---|---|---|---|---|")
    for label, r in results:
        print(f"| {label} | {r['rps']:,.0f} | {r['rps'] / ceiling:.0%} | {r['p50']:.0f} ms | "
              f"{r['p99']:.0f} ms | {r['errors']} |")
    if post is not None:
        print(f"\nsupport POSTs: {post['requests']} completed in the window, {written} supports "
              f"written (each request supports a proposal the account did not support yet; "
              f"{len(targets_)} available).")


if __name__ == "__main__":
    main()
