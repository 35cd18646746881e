"""`python manage.py bench_dashboard`: time the dashboard as a city-level user sees it.

First refreshes the dashboard's cached summary through the service the beat task calls
(programs.reports.services.dashboard_summary_refresh) and times it, so the pages read a fresh
snapshot as they do in production. Then logs in a city-level centre-staff user with the Django
test Client (creating ``bench_city`` at the root union when none exists), warms up, times
``--requests`` dashboard requests, and prints one JSON object as its last line: households,
requests, dashboard_p50_ms, dashboard_p95_ms, refresh_s. ``--households N`` first generates
households up to N (generate_households); ``--live`` skips the refresh and drops the snapshots
first, to time the live fallback (figures computed per request).
"""

import io
import json
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings

from cases.models import Household
from hardship.models import Role, RoleAssignment, Union, User
from hardship.services import role_assign
from programs.reports.models import DashboardSnapshot
from programs.reports.services import dashboard_summary_refresh


class Command(BaseCommand):
    help = "Benchmark the dashboard (/reports/) for a city-level user."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--households", type=int, default=0)
        parser.add_argument("--live", action="store_true", help="time the live figures (no snapshot)")

    def handle(self, *args, requests: int, warmup: int, households: int, live: bool, **options):
        if households:
            have = Household.objects.count()
            if have < households:
                if not Union.objects.exists():
                    call_command("seed_demo", stdout=io.StringIO())
                call_command("generate_households", count=households - have, stdout=io.StringIO())
        refresh_s = None
        if live:
            DashboardSnapshot.objects.all().delete()
        else:
            started = time.perf_counter()
            if dashboard_summary_refresh() is None:
                raise CommandError("another refresh of the dashboard summary is running")
            refresh_s = round(time.perf_counter() - started, 2)
        user = self._city_user()
        client = Client()
        client.force_login(user)
        timings = []
        with override_settings(ALLOWED_HOSTS=["*"]):
            for i in range(warmup + requests):
                started = time.perf_counter()
                response = client.get("/reports/")
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise CommandError(f"dashboard answered {response.status_code}")
                if i >= warmup:
                    timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
        result = {
            "households": Household.objects.count(),
            "requests": len(timings),
            "dashboard_p50_ms": round(statistics.median(timings), 1),
            "dashboard_p95_ms": round(p95, 1),
            "refresh_s": refresh_s,
        }
        self.stdout.write(json.dumps(result))

    def _city_user(self) -> User:
        root = Union.objects.filter(parent__isnull=True, is_active=True).order_by("id").first()
        if root is None:
            raise CommandError("no union: run seed_demo first")
        assignment = (
            RoleAssignment.objects.filter(role=Role.CENTRE_STAFF, union=root, user__is_active=True)
            .select_related("user")
            .first()
        )
        if assignment:
            return assignment.user
        user, _ = User.objects.get_or_create(username="bench_city", defaults={"full_name": "看板基准"})
        role_assign(actor=None, user=user, union=root, role=Role.CENTRE_STAFF)
        return user
