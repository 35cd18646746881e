"""What one page costs the server in CPU, measured in-process so that the figure does not depend on
how busy the machine is:

    DJANGO_SETTINGS_MODULE=hardship.settings.production … python manage.py bench_pages \
        [--requests 200] [--pages healthz,file,list,search,dashboard] [--before before.json] [--profile file]

Each request goes through ``django.core.handlers.wsgi.WSGIHandler`` — what gunicorn calls: every
middleware, the view, the template rendering (the settings' loaders: cached ones with DEBUG off),
the session read and the request_started/finished signals — with the pages and the demo users
``make loadtest`` drives (its signed-in sessions: centre, huishan, binhu, approver, observer, each
with files in its own scope). Timed with ``time.process_time`` (this process's CPU only, so other
people's load does not count, nor waiting on PostgreSQL); the CPU the PostgreSQL backend used for
the same requests is read from the backend process (``psutil``, same machine) and reported apart.

One JSON object per page on standard output: ``page``, ``requests``, ``cpu_ms`` (mean Python CPU
per request), ``cpu_ms_p50`` (the median of 10 equal slices' means: steadier on a shared machine),
``postgres_cpu_ms``, ``queries`` (the most one request of the page made), ``ratio_to_healthz``
(``/healthz``'s cpu_ms ÷ this page's: the share of the framework's floor the page reaches, the
figure ``make loadtest``'s saturation ratio approximates); with ``--before FILE`` (an earlier
run's output) also ``before_cpu_ms`` and ``speedup``. ``--profile PAGE`` prints that page's
cProfile (CPU time, by cumulative and own time) to standard error instead.

Read-only apart from the sessions it creates and deletes at the end; sessions are stored as a login
would (the session engine of the settings). Needs the dev requirements (psutil).
"""

import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from importlib import import_module
from urllib.parse import quote

import psutil
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from hardship.access import user_has_role
from hardship.models import User
from programs.reports.selectors import REPORT_READERS

DEMO_USERS = ["centre", "huishan", "binhu", "approver", "observer"]
PAGES = ["healthz", "file", "list", "search", "dashboard"]
# As loadtest/run.py: the list as caseworkers use it, searches by surname, files in the user's scope.
LIST_VARIANTS = ["", "page=2", "sort=name", "sort=per_capita", "tier=extreme"]
SLICES = 10


class Command(BaseCommand):
    help = "CPU ms per request of the file, list, search and dashboard pages against /healthz, in-process."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
        parser.add_argument("--pages", default=",".join(PAGES))
        parser.add_argument("--before", help="an earlier run's output (JSON lines) to compare with")
        parser.add_argument("--profile", choices=PAGES, help="print the cProfile of this page (CPU time)")

    def handle(self, *args, **options):
        pages = [page for page in options["pages"].split(",") if page]
        if unknown := set(pages) - set(PAGES):
            raise CommandError(f"unknown pages: {sorted(unknown)}")
        if "healthz" not in pages:
            pages.insert(0, "healthz")
        self.handler = WSGIHandler()
        # One PostgreSQL backend for the whole run (production reopens it after DB_CONN_MAX_AGE s), so that
        # its CPU can be read before and after each page.
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = None
        sessions = self._sessions()
        try:
            if options["profile"]:
                self._profile(options["profile"], sessions, options["requests"], options["warmup"])
                return
            lines = [self._measure(page, sessions, options["requests"], options["warmup"]) for page in pages]
        finally:
            store_class = import_module(settings.SESSION_ENGINE).SessionStore
            for session in sessions:
                store_class(session["key"]).delete()
        floor = lines[0]["cpu_ms"]
        before = self._before(options["before"])
        for line in lines:
            line["ratio_to_healthz"] = round(floor / line["cpu_ms"], 3) if line["cpu_ms"] else None
            if line["page"] in before:
                line["before_cpu_ms"] = before[line["page"]]
                line["speedup"] = round(before[line["page"]] / line["cpu_ms"], 2) if line["cpu_ms"] else None
            self.stdout.write(json.dumps(line, ensure_ascii=False))

    # ------------------------------------------------------------ setup

    def _sessions(self) -> list[dict]:
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
        sessions = []
        for user in User.objects.filter(username__in=DEMO_USERS).order_by("username"):
            visible = selectors.household_list(user=user)
            ids = list(visible.order_by("pk").values_list("pk", flat=True)[:: max(1, visible.count() // 50)][:50])
            if not ids:
                continue
            names = sorted({name[:1] for name in visible.order_by("pk").values_list("head_name", flat=True)[:300]})
            store = store_class()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            sessions.append({"key": store.session_key, "username": user.username, "ids": ids,
                             "surnames": names[:20], "dashboard": user_has_role(user, *REPORT_READERS)})  # fmt: skip
        if not sessions:
            raise CommandError("no demo user sees a household file: run seed_demo and generate_households first")
        return sessions

    def _requests(self, page: str, sessions: list[dict], count: int) -> list[tuple[str, str, str]]:
        """(session key, path, query string) for *count* requests of *page*, the users taking turns."""
        if page == "dashboard":
            sessions = [s for s in sessions if s["dashboard"]]
        out = []
        for index in range(count):
            session = sessions[index % len(sessions)]
            turn = index // len(sessions)
            if page == "healthz":
                path, query = "/healthz", ""
            elif page == "file":
                path, query = f"/cases/{session['ids'][turn % len(session['ids'])]}/", ""
            elif page == "list":
                path, query = "/cases/", LIST_VARIANTS[turn % len(LIST_VARIANTS)]
            elif page == "search":
                path, query = "/cases/", "q=" + quote(session["surnames"][turn % len(session["surnames"])])
            else:
                path, query = "/reports/", ""
            out.append((session["key"], path, query))
        return out

    def _environ(self, key: str, path: str, query: str) -> dict:
        host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost")
        return {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={key}",
            "HTTP_X_FORWARDED_PROTO": "https",  # as the TLS proxy in front of gunicorn sends it
            "HTTP_ACCEPT_LANGUAGE": "zh-hans",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

    def _get(self, key: str, path: str, query: str) -> None:
        status = []
        response = self.handler(self._environ(key, path, query), lambda s, h, e=None: status.append(s))
        try:
            for _chunk in response:
                pass
        finally:
            response.close()
        if not status[0].startswith("200"):
            raise CommandError(f"{path}?{query} answered {status[0]}")

    # ------------------------------------------------------------ measuring

    def _backend_cpu(self) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system

    def _measure(self, page: str, sessions: list[dict], count: int, warmup: int) -> dict:
        for request in self._requests(page, sessions, warmup):
            self._get(*request)
        queries = 0
        for request in self._requests(page, sessions, len(sessions)):
            with CaptureQueriesContext(connection) as captured:
                self._get(*request)
            queries = max(queries, len(captured))
        requests = self._requests(page, sessions, count)
        slice_size = max(1, count // SLICES)
        slices = []
        postgres_before = self._backend_cpu() if connection.vendor == "postgresql" else None
        total = 0.0
        for start in range(0, count, slice_size):
            chunk = requests[start : start + slice_size]
            began = time.process_time()
            for request in chunk:
                self._get(*request)
            used = time.process_time() - began
            total += used
            slices.append(used / len(chunk))
        line = {"page": page, "requests": count, "cpu_ms": round(total * 1000 / count, 2),
                "cpu_ms_p50": round(statistics.median(slices) * 1000, 2)}  # fmt: skip
        if postgres_before is not None:
            line["postgres_cpu_ms"] = round((self._backend_cpu() - postgres_before) * 1000 / count, 2)
        line["queries"] = queries
        return line

    def _profile(self, page: str, sessions: list[dict], count: int, warmup: int) -> None:
        for request in self._requests(page, sessions, warmup):
            self._get(*request)
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting on PostgreSQL is not counted
        profiler.enable()
        for request in self._requests(page, sessions, count):
            self._get(*request)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(80)
        stats.sort_stats("tottime").print_stats(40)

    @staticmethod
    def _before(path: str | None) -> dict[str, float]:
        if not path:
            return {}
        figures = {}
        with open(path, encoding="utf-8") as lines:
            for raw in lines:
                raw = raw.strip()
                if raw.startswith("{"):
                    line = json.loads(raw)
                    figures[line["page"]] = line["cpu_ms"]
        return figures
