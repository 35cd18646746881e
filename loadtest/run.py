"""`make loadtest`: locust against gunicorn on 127.0.0.1, PostgreSQL, production settings.

    .venv/bin/python loadtest/run.py [--users 50] [--seconds 60] [--households 20000]

1. prepares its own database (``loadtest`` on the server of DATABASE_URL, created if missing):
   migrate, collectstatic, seed_demo, and generate_households up to --households files;
2. signs in the demo users (one session per simulated user, on the server side) and picks,
   for each, household ids and surnames inside that user's scope;
3. starts gunicorn (hardship.settings.production, DEBUG off, sized for this machine's cores),
   waits for /healthz, warms every worker up;
4. runs locust headless: --users users, started --spawn-rate a second, then --seconds counted
   once all of them run, over the household list (with a search), a household file and the
   dashboard; then stops gunicorn whatever happened.

The last line printed is one JSON object: users, seconds, rps, p95_ms, p99_ms, errors, …
"""

# ruff: noqa: S310, S311, S603 — local http:// URLs, sampling randomness, fixed argv of our own tools
import argparse
import csv
import io
import json
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_USERS = ["centre", "huishan", "binhu", "approver", "observer"]


def database_url(name: str) -> str:
    """The server of LOADTEST_DATABASE_URL or DATABASE_URL, with our own database name."""
    url = os.environ.get("LOADTEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/"
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("loadtest: DATABASE_URL must point at PostgreSQL")
    if os.environ.get("LOADTEST_DATABASE_URL"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname or None, port=parts.port or None, user=parts.username or None,
                            password=parts.password or None, dbname="postgres")  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"loadtest: created database {name}", file=sys.stderr)
    conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def static_outdated(root: Path) -> bool:
    """collectstatic (hashing and compressing everything) takes minutes here: only when static/ changed."""
    manifest = root / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in (ROOT / "static").rglob("*") if path.is_file())


def prepare(households: int, users: int, think: list[float]) -> dict:
    """Database, demo data, sessions: runs Django in this process (production settings)."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connections

    from cases import selectors
    from cases.models import Household
    from hardship.access import user_has_role
    from hardship.models import User
    from programs.reports.selectors import REPORT_READERS

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    if static_outdated(Path(settings.STATIC_ROOT)):
        call_command("collectstatic", "--noinput", verbosity=0)
    print(f"loadtest: migrate + collectstatic {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not User.objects.filter(username__in=DEMO_USERS).exists():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    have = Household.objects.count()
    if have < households:
        print(f"loadtest: generating {households - have} households …", file=sys.stderr)
        call_command("generate_households", count=households - have, seed=have + 1, verbosity=0,
                     stdout=io.StringIO())  # fmt: skip
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    rng = random.Random(1)
    per_user = {}
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        visible = selectors.household_list(user=user)
        ids = list(visible.order_by("?").values_list("pk", flat=True)[:300])
        names = {name[:1] for name in visible.order_by("?").values_list("head_name", flat=True)[:300]}
        per_user[username] = {"user": user, "household_ids": ids, "surnames": sorted(names)[:30],
                              "dashboard": user_has_role(user, *REPORT_READERS)}  # fmt: skip
    sessions = []
    for index in range(users):
        info = per_user[DEMO_USERS[index % len(DEMO_USERS)]]
        store = store_class()
        store[SESSION_KEY] = str(info["user"].pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = info["user"].get_session_auth_hash()
        store.create()
        sessions.append({"key": store.session_key, "username": info["user"].username,
                         "household_ids": rng.sample(info["household_ids"], min(100, len(info["household_ids"]))),
                         "surnames": info["surnames"], "dashboard": info["dashboard"]})  # fmt: skip
    plan = {"session_cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions, "think_seconds": think,
            "households": Household.objects.count()}  # fmt: skip
    connections.close_all()
    return plan


def forget_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session
    from django.db import connections

    Session.objects.filter(session_key__in=keys).delete()
    connections.close_all()


def get(url: str, headers: dict, timeout: float = 10) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("loadtest: gunicorn exited while starting (see its log)")
        if get(f"{base}/healthz", {"X-Forwarded-Proto": "https"}, timeout=3) == 200:
            return
        time.sleep(0.5)
    raise SystemExit("loadtest: /healthz did not answer 200 within 60 s")


def warm_up(base: str, plan: dict, workers: int) -> None:
    """Every worker loads its templates and opens its connection before the clock starts."""
    for session in plan["sessions"][: max(5, workers * 3)]:
        headers = {"Cookie": f"{plan['session_cookie']}={session['key']}", "X-Forwarded-Proto": "https"}
        paths = ["/cases/", f"/cases/?q={quote(session['surnames'][0])}", f"/cases/{session['household_ids'][0]}/"]
        paths += ["/reports/"] if session["dashboard"] else []
        for path in paths:
            status = get(base + path, headers, timeout=30)
            if status != 200:
                raise SystemExit(f"loadtest: warm-up {path} answered {status} for {session['username']}")


def read_stats(prefix: str) -> tuple[dict, dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        rows = list(csv.DictReader(stats_file))
    pages = {}
    total = None
    for row in rows:
        figures = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                   "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"]),
                   "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
                   "max_ms": round(float(row["Max Response Time"]))}  # fmt: skip
        if row["Name"] == "Aggregated":
            total = figures
        else:
            pages[row["Name"]] = figures
    if total is None:
        raise SystemExit("loadtest: locust wrote no aggregated statistics")
    return total, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--database", default="loadtest")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "0")) or None)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", "4")))
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0], metavar=("MIN", "MAX"),
                        help="seconds each user waits between pages")  # fmt: skip
    parser.add_argument("--spawn-rate", type=float, default=5.0,
                        help="users started per second; the figures count from when all are running")  # fmt: skip
    args = parser.parse_args()
    ramp = math.ceil(args.users / args.spawn_rate)
    cores = os.cpu_count() or 1
    workers = args.workers or cores + 1

    url = database_url(args.database)
    ensure_database(url)
    port = free_port()
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "hardship.settings.production",
        "SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(50),
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(args.threads),
        # Locust reuses a connection after up to --think MAX seconds idle: outlive that.
        "GUNICORN_KEEPALIVE": str(int(args.think[1]) + 5),
    })  # fmt: skip
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    plan = prepare(args.households, args.users, args.think)

    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w", encoding="utf-8")  # noqa: SIM115 — closed in finally
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "hardship/gunicorn.conf.py", "--access-logfile", "/dev/null",
         "hardship.wsgi"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_healthy(base, gunicorn)
        warm_up(base, plan, workers)
        print(f"loadtest: {args.users} users for {args.seconds} s against gunicorn {workers}×{args.threads} "
              f"on {base}, {plan['households']} households", file=sys.stderr)  # fmt: skip
        locust = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.seconds + ramp}s",
             "--reset-stats",
             "--stop-timeout", "5", "--host", base, "--csv", str(work / "locust"), "--only-summary",
             "--loglevel", "WARNING"],
            cwd=ROOT, env={**os.environ, "LOADTEST_PLAN": str(work / "plan.json")},
            timeout=args.seconds + ramp + 120, capture_output=True, text=True,
        )  # fmt: skip
        if not (work / "locust_stats.csv").exists():
            print(locust.stdout[-3000:], locust.stderr[-3000:], file=sys.stderr)
            raise SystemExit("loadtest: locust produced no statistics")
        total, pages = read_stats(str(work / "locust"))
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait(timeout=10)
        log.close()
        forget_sessions([s["key"] for s in plan["sessions"]])

    for name, figures in sorted(pages.items()):
        print(f"loadtest: {name:18} {json.dumps(figures)}", file=sys.stderr)
    failures = work / "locust_failures.csv"
    if total["failures"] and failures.exists():
        print(failures.read_text(encoding="utf-8")[:3000], file=sys.stderr)
        print(f"loadtest: gunicorn's log is kept in {work / 'gunicorn.log'}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({
        "users": args.users, "seconds": args.seconds, "rps": total["rps"], "p50_ms": total["p50_ms"],
        "p95_ms": total["p95_ms"], "p99_ms": total["p99_ms"], "errors": total["failures"],
        "requests": total["requests"], "households": plan["households"], "workers": workers,
        "threads": args.threads, "think_seconds": args.think, "ramp_seconds": ramp,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
