"""`make loadtest`: the capacity of gunicorn + PostgreSQL on 127.0.0.1 with the production settings.

    .venv/bin/python loadtest/run.py [--runs think,saturation,soak] [--households 20000]
        [--connections 8,16,32] [--warmup 3] [--duration 15] [--soak-minutes 30] …

1. prepares its own database (``--database``, default ``$LOADTEST_DATABASE`` or ``loadtest``, on
   the server of DATABASE_URL, created if missing): migrate, collectstatic, seed_demo, and
   generate_households up to --households files (``--households 1000000`` is the issue's size);
2. signs in the demo users (sessions made on the server side) and picks, for each session,
   household ids and surnames inside that user's scope;
3. starts gunicorn (hardship.settings.production, DEBUG off, 2 workers × 2 threads unless
   GUNICORN_WORKERS / GUNICORN_THREADS or --workers / --threads say otherwise), waits for
   /healthz, warms every worker up;
4. runs, in this order (each is optional with --runs):
   - ``think``: locust, --users signed-in users with 2–6 s think time over the household list,
     a search, a household file and the dashboard (latency at a light load);
   - ``saturation``: for each connection count, /healthz then each page alone, closed loop with
     no think time (measure.closed_loop), --warmup s not counted then --duration s counted;
   - ``soak``: the household file at half its saturation rate, open loop, for --soak-minutes,
     sampling the RSS of each gunicorn worker, PostgreSQL's connections to the database and the
     errors every --soak-sample s;
5. stops gunicorn whatever happened and deletes the sessions it made.

Standard output is one JSON object per line and run (see measure.result_line); the progress
goes to standard error.
"""

# ruff: noqa: S310, S311, S603 — local http:// URLs, sampling randomness, fixed argv of our own tools
import argparse
import asyncio
import csv
import io
import itertools
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
# The list page as caseworkers use it: first page, next page, the sorts and a tier filter.
LIST_VARIANTS = ["", "?page=2", "?sort=name", "?sort=per_capita", "?tier=extreme"]

sys.path.insert(0, str(ROOT))
from loadtest import measure  # noqa: E402

MIB = measure.MIB


def database_url(name: str) -> str:
    """The server of LOADTEST_DATABASE_URL or DATABASE_URL, with our own database name."""
    url = os.environ.get("LOADTEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/"
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("loadtest: DATABASE_URL must point at PostgreSQL")
    if os.environ.get("LOADTEST_DATABASE_URL"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def connect(url: str, dbname: str | None = None):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname or None, port=parts.port or None, user=parts.username or None,
                            password=parts.password or None, dbname=dbname or parts.path.lstrip("/"))  # fmt: skip
    conn.autocommit = True
    return conn


def ensure_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = connect(url, "postgres")
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


def prepare(households: int, sessions_wanted: int, think: list[float]) -> dict:
    """Database, demo data, sessions: runs Django in this process (the server's settings)."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from cases import selectors
    from cases.models import Household
    from hardship.access import user_has_role
    from hardship.models import User
    from programs.reports.selectors import REPORT_READERS

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    if hasattr(staticfiles_storage, "manifest_name") and static_outdated(Path(settings.STATIC_ROOT)):
        call_command("collectstatic", "--noinput", verbosity=0)
    print(f"loadtest: migrate + collectstatic {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not User.objects.filter(username__in=DEMO_USERS).exists():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    have = Household.objects.count()
    if have < households:
        print(f"loadtest: generating {households - have} households …", file=sys.stderr)
        call_command("generate_households", count=households - have, seed=have + 1, verbosity=0,
                     stdout=io.StringIO())  # fmt: skip
    # The dashboard reads the summary beat refreshes every few minutes in production (no beat runs here):
    # without a snapshot every dashboard view would compute the figures live, which no deployment does.
    from programs.reports.selectors import SNAPSHOT_MAX_AGE, latest_snapshot
    from programs.reports.services import dashboard_summary_refresh

    snapshot = latest_snapshot()
    if snapshot is None or snapshot.taken_at < timezone.now() - SNAPSHOT_MAX_AGE:
        began = time.monotonic()
        dashboard_summary_refresh()
        print(f"loadtest: dashboard summary refreshed {time.monotonic() - began:.0f} s", file=sys.stderr)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    # The backend a login stores (the first that loads users), as the login page would.
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    rng = random.Random(1)
    per_user = {}
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        visible = selectors.household_list(user=user)
        ids = list(visible.order_by("?").values_list("pk", flat=True)[:300])
        names = {name[:1] for name in visible.order_by("?").values_list("head_name", flat=True)[:300]}
        if ids:  # a demo user with no file in scope (a tiny --households) cannot read a file page
            per_user[username] = {"user": user, "household_ids": ids, "surnames": sorted(names)[:30],
                                  "dashboard": user_has_role(user, *REPORT_READERS)}  # fmt: skip
    if not per_user:
        raise SystemExit("loadtest: no demo user sees a household file")
    users = list(per_user.values())
    sessions = []
    for index in range(sessions_wanted):
        info = users[index % len(users)]
        store = store_class()
        store[SESSION_KEY] = str(info["user"].pk)
        store[BACKEND_SESSION_KEY] = backend
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
    raise SystemExit(f"loadtest: /healthz did not answer 200 within {timeout:.0f} s")


def headers_for(plan: dict, session: dict) -> dict:
    # An explicit Cookie header: the session cookie is Secure and this hop is plain HTTP behind the "proxy";
    # X-Forwarded-Proto as the TLS proxy in front of gunicorn sends it, so the production settings stay on.
    return {"Cookie": f"{plan['session_cookie']}={session['key']}", "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-hans"}  # fmt: skip


def page_paths(page: str, session: dict, offset: int) -> list[str]:
    """The paths one connection cycles through for *page*, started at *offset* so that
    connections of the same session do not ask for the same file at the same moment."""
    if page == "file":
        paths = [f"/cases/{pk}/" for pk in session["household_ids"]]
    elif page == "list":
        paths = [f"/cases/{variant}" for variant in LIST_VARIANTS]
    elif page == "search":
        paths = [f"/cases/?q={quote(surname)}" for surname in session["surnames"]]
    elif page == "dashboard":
        paths = ["/reports/"]
    elif page == "healthz":
        paths = ["/healthz"]
    else:
        raise ValueError(page)
    offset %= len(paths)
    return paths[offset:] + paths[:offset]


def sessions_for(plan: dict, page: str) -> list[dict]:
    return [s for s in plan["sessions"] if s["dashboard"]] if page == "dashboard" else plan["sessions"]


def request_source(plan: dict, page: str, index: int, host: str):
    """Connection *index*'s endless requests for *page*: its own signed-in session."""
    sessions = sessions_for(plan, page)
    if not sessions:
        raise SystemExit(f"loadtest: no signed-in demo user may read the {page} page")
    session = sessions[index % len(sessions)]
    headers = headers_for(plan, session)
    raws = [measure.request_bytes(host, path, headers) for path in page_paths(page, session, index * 7)]
    return itertools.cycle(raws)


def warm_up(base: str, plan: dict, workers: int) -> None:
    """Every worker loads its templates and opens its connection before the clock starts."""
    for session in plan["sessions"][: max(5, workers * 3)]:
        headers = headers_for(plan, session)
        paths = ["/cases/", f"/cases/?q={quote(session['surnames'][0])}", f"/cases/{session['household_ids'][0]}/"]
        paths += ["/reports/"] if session["dashboard"] else []
        for path in paths:
            status = get(base + path, headers, timeout=30)
            if status != 200:
                raise SystemExit(f"loadtest: warm-up {path} answered {status} for {session['username']}")


# ---------------------------------------------------------------- think: locust with think time

LOCUST_PAGES = {"file": "file", "list": "list", "search": "search", "dashboard": "dashboard"}


def read_stats(prefix: str) -> dict[str, dict]:
    """Locust's per-name statistics, by page."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        rows = list(csv.DictReader(stats_file))
    pages = {}
    for row in rows:
        if row["Name"] in LOCUST_PAGES:
            pages[LOCUST_PAGES[row["Name"]]] = {
                "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]), "errors": int(row["Failure Count"]),
                "requests": int(row["Request Count"]), "p95_ms": float(row["95%"]),
            }  # fmt: skip
    if not pages:
        raise SystemExit("loadtest: locust wrote no statistics")
    return pages


def run_think(args, base: str, work: Path) -> list[dict]:
    ramp = math.ceil(args.users / args.spawn_rate)
    print(f"loadtest: think — {args.users} users, {args.think[0]}–{args.think[1]} s between pages, "
          f"{args.seconds} s after a {ramp} s ramp", file=sys.stderr)  # fmt: skip
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
    pages = read_stats(str(work / "locust"))
    failures = work / "locust_failures.csv"
    if any(figures["errors"] for figures in pages.values()) and failures.exists():
        print(failures.read_text(encoding="utf-8")[:3000], file=sys.stderr)
    extra = {"seconds": args.seconds, "think_seconds": args.think}
    return [
        measure.result_line(
            "think", page, args.users, figures, requests=figures["requests"], p95_ms=figures["p95_ms"], **extra
        )  # fmt: skip
        for page, figures in pages.items()
    ]


# ---------------------------------------------------------------- saturation: closed loop, no think time


def backend_pids(conn, database: str):
    def pids() -> list[int]:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                           [database])  # fmt: skip
            return [row[0] for row in cursor.fetchall()]

    return pids


def run_saturation(args, plan: dict, port: int, meter: measure.CpuMeter, emit) -> list[dict]:
    host = f"127.0.0.1:{port}"
    lines = []
    for connections in args.connections:
        for page in ["healthz", *args.pages]:
            sources = [request_source(plan, page, index, host) for index in range(connections)]
            ok = measure.health_ok if page == "healthz" else measure.page_ok
            tally, cpu = asyncio.run(measure.closed_loop("127.0.0.1", port, sources, ok, args.warmup, args.duration,
                                                         meter=meter))  # fmt: skip
            figures = measure.summary(tally.latencies, tally.errors, args.duration)
            line = measure.result_line("saturation", page, connections, figures, requests=len(tally.latencies),
                                       seconds=args.duration, **cpu)  # fmt: skip
            if tally.messages:
                line["error_kinds"] = tally.messages
            lines.append(line)
            emit(measure.with_ratios(lines)[-1])
    return measure.with_ratios(lines)


# ---------------------------------------------------------------- soak: open loop at half the file page's rate


def worker_rss(master_pid: int) -> dict[int, tuple[float, int]]:
    """Each gunicorn worker's age (s) and resident memory (bytes)."""
    import psutil

    rss = {}
    for child in psutil.Process(master_pid).children():
        try:
            rss[child.pid] = (time.time() - child.create_time(), child.memory_info().rss)
        except psutil.NoSuchProcess:
            continue
    return rss


def run_soak(args, plan: dict, port: int, rate: float, meter: measure.CpuMeter, count_connections,
             master_pid: int) -> dict:  # fmt: skip
    host = f"127.0.0.1:{port}"
    seconds = args.soak_minutes * 60
    requests = (request_source(plan, "file", index, host) for index in itertools.count())
    # one request from each session in turn, each session walking its own files
    sources = [next(requests) for _ in range(len(plan["sessions"]))]
    mixed = (next(source) for source in itertools.cycle(sources))
    rss_samples: dict[int, list[tuple[float, int]]] = {}
    pg_max = 0
    initial_workers = set(worker_rss(master_pid))
    last_report = [0.0]

    def on_tick(elapsed: float, tally: measure.Tally) -> None:
        nonlocal pg_max
        now = worker_rss(master_pid)
        for pid, sample in now.items():
            rss_samples.setdefault(pid, []).append(sample)
        in_use = count_connections()
        pg_max = max(pg_max, in_use)
        meter.sample()
        if elapsed - last_report[0] >= 60 or not last_report[0]:
            last_report[0] = max(elapsed, 0.001)
            workers = ", ".join(f"{pid}: {series[-1][1] / MIB:.0f} MiB" for pid, series in rss_samples.items()
                                if pid in now)  # fmt: skip
            print(f"loadtest: soak {elapsed / 60:.1f} min, {len(tally.latencies)} answered, {tally.errors} errors, "
                  f"PostgreSQL connections {in_use}, workers {workers}", file=sys.stderr)  # fmt: skip

    print(f"loadtest: soak — the household file at {rate:.1f} req/s (open loop) for {args.soak_minutes} min",
          file=sys.stderr)  # fmt: skip

    async def soak():
        loop = asyncio.get_running_loop()
        loop.call_later(args.soak_warmup, meter.start)
        return await measure.open_loop("127.0.0.1", port, mixed, measure.page_ok, rate, args.soak_warmup, seconds,
                                       max_in_flight=args.max_in_flight, every=args.soak_sample,
                                       on_tick=on_tick)  # fmt: skip

    tally, opened = asyncio.run(soak())
    cpu = meter.stop(len(tally.latencies) + tally.errors)
    figures = measure.summary(tally.latencies, tally.errors, seconds)
    line = measure.result_line(
        "soak", "file", opened, figures, minutes=args.soak_minutes,
        rss_growth_mb=measure.rss_growth_mb(rss_samples, args.soak_settle),
        pg_connections_max=pg_max, target_rps=round(rate, 1), requests=len(tally.latencies),
        rss_max_mb=round(max((rss for series in rss_samples.values() for _, rss in series), default=0) / MIB, 1),
        worker_restarts=len(set(rss_samples) - initial_workers), samples=max(map(len, rss_samples.values()), default=0),
        **cpu,
    )  # fmt: skip
    if tally.messages:
        line["error_kinds"] = tally.messages
    return line


# ---------------------------------------------------------------- main


def csv_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--runs", type=csv_list, default=list(measure.RUNS), help="think,saturation,soak (all)")
    parser.add_argument("--households", type=int, default=20000,
                        help="household files in the database (the issue measures --households 1000000)")  # fmt: skip
    parser.add_argument("--database", default=env("LOADTEST_DATABASE") or "loadtest",
                        help="database on DATABASE_URL's server (default $LOADTEST_DATABASE or loadtest)")  # fmt: skip
    parser.add_argument("--settings", default="hardship.settings.production", help="DJANGO_SETTINGS_MODULE")
    parser.add_argument("--workers", type=int, default=int(env("GUNICORN_WORKERS") or 2))
    parser.add_argument("--threads", type=int, default=int(env("GUNICORN_THREADS") or 2))
    parser.add_argument("--max-requests", type=int, default=None,
                        help="gunicorn's worker recycling (default: gunicorn.conf.py's; 0 turns it off)")  # fmt: skip
    think = parser.add_argument_group("think run (locust)")
    think.add_argument("--users", type=int, default=50)
    think.add_argument("--seconds", type=int, default=60)
    think.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0], metavar=("MIN", "MAX"),
                       help="seconds each user waits between pages")  # fmt: skip
    think.add_argument("--spawn-rate", type=float, default=5.0,
                       help="users started per second; the figures count from when all are running")  # fmt: skip
    saturation = parser.add_argument_group("saturation run (closed loop, no think time)")
    saturation.add_argument("--connections", type=lambda text: [int(c) for c in csv_list(text)], default=[8, 16, 32])
    saturation.add_argument("--pages", type=csv_list, default=["file", "list", "search", "dashboard"],
                            help="besides /healthz, always measured first at each connection count")  # fmt: skip
    saturation.add_argument("--warmup", type=float, default=3.0, help="seconds not counted before each measurement")
    saturation.add_argument("--duration", type=float, default=15.0, help="seconds counted per page and count")
    soak = parser.add_argument_group("soak run (open loop)")
    soak.add_argument("--soak-minutes", type=float, default=float(env("SOAK_MINUTES") or 30))
    soak.add_argument("--soak-rps", type=float, default=None,
                      help="the rate (default: half the household file's best saturation rps)")  # fmt: skip
    soak.add_argument("--soak-warmup", type=float, default=10.0)
    soak.add_argument("--soak-sample", type=float, default=5.0, help="seconds between samples")
    soak.add_argument("--soak-settle", type=float, default=30.0,
                      help="a worker's memory counts once it is this many seconds old (its warm-up)")  # fmt: skip
    soak.add_argument("--max-in-flight", type=int, default=64)
    args = parser.parse_args(argv)
    unknown = (set(args.runs) - set(measure.RUNS)) | (set(args.pages) - set(measure.PAGES) - {"healthz"})
    if unknown or "healthz" in args.pages:
        parser.error(f"unknown or repeated runs/pages: {sorted(unknown | ({'healthz'} & set(args.pages)))}")
    if "soak" in args.runs and args.soak_rps is None and not ("saturation" in args.runs and "file" in args.pages):
        parser.error("the soak's rate comes from the file page's saturation run: add it, or give --soak-rps")
    return args


def emit(line: dict) -> None:
    print(measure.dumps(line), flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    url = database_url(args.database)
    database = urlsplit(url).path.lstrip("/")
    ensure_database(url)
    port = free_port()
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": args.settings,
        "SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(50),
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        # Locust reuses a connection after up to --think MAX seconds idle: outlive that.
        "GUNICORN_KEEPALIVE": str(int(args.think[1]) + 5),
    })  # fmt: skip
    os.chdir(ROOT)
    sessions_wanted = max([args.users if "think" in args.runs else 0, *args.connections, len(DEMO_USERS)])
    plan = prepare(args.households, sessions_wanted, args.think)

    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w", encoding="utf-8")  # noqa: SIM115 — closed in finally
    command = [str(BIN / "gunicorn"), "-c", "hardship/gunicorn.conf.py", "--access-logfile", "/dev/null"]
    if args.max_requests is not None:
        command += ["--max-requests", str(args.max_requests)]
    gunicorn = subprocess.Popen([*command, "hardship.wsgi"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    watch = connect(url)
    meter = measure.CpuMeter(gunicorn.pid, backend_pids(watch, database))
    errors = 0
    try:
        wait_healthy(base, gunicorn)
        warm_up(base, plan, args.workers)
        print(f"loadtest: gunicorn {args.workers}×{args.threads} on {base} ({args.settings}), "
              f"{plan['households']} households in {database}", file=sys.stderr)  # fmt: skip
        if "think" in args.runs:
            for line in run_think(args, base, work):
                errors += line["errors"]
                emit(line)
        saturation = []
        if "saturation" in args.runs:
            saturation = run_saturation(args, plan, port, meter, emit)
            errors += sum(line["errors"] for line in saturation)
        if "soak" in args.runs:
            file_rps = max((line["rps"] for line in saturation if line["page"] == "file"), default=0.0)
            rate = args.soak_rps or file_rps / 2
            if rate <= 0:
                raise SystemExit("loadtest: the household file answered nothing at saturation: no rate to soak at")
            line = run_soak(args, plan, port, rate, meter, lambda: len(meter.backend_pids()), gunicorn.pid)
            errors += line["errors"]
            emit(line)
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait(timeout=10)
        log.close()
        watch.close()
        forget_sessions([s["key"] for s in plan["sessions"]])
    if errors:
        print(f"loadtest: {errors} errors; gunicorn's log is kept in {work / 'gunicorn.log'}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
