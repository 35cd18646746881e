"""`python manage.py bench_approve --households N`: the approval of a city's batch, click to bank files.

- Makes sure there are N filed households and builds a computed batch paying each of them (set-based,
  programs/management/commands/_bench_data.py), with the budget to cover it.
- Times the approve request (after one warm-up request, as on a running server) through the whole
  stack (the Django test client: middleware, form, service,
  budget check under the lock, ledger row): ``request_ms``. The freeze task it sends is caught and run
  in this process right after, as a worker would (``freeze_only_s``); ``freeze_s`` is the time from the
  click to the bank files being available (the page's bank-file links).
- Prints one JSON object as its last line: households, payments, request_ms, freeze_s, freeze_only_s.
"""

import json
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from hardship.models import Role
from programs.assistance import services
from programs.assistance.balances import approval_figures
from programs.assistance.freeze import batch_freeze
from programs.assistance.models import Batch, Payment

from ._bench_data import bench_fund, bench_user, computed_batch, ensure_households


class _Caught:
    """Stands in for the freeze task: the approval's send is recorded, the freeze run here."""

    name = "programs.assistance.tasks.freeze_batch"

    def __init__(self):
        self.sent = []

    def apply_async(self, args=(), **options):
        self.sent.append(args[0])


class Command(BaseCommand):
    help = "Benchmark the approval of a batch and the freeze of its payees (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=1_000_000)

    def handle(self, *args, households: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_approve measures PostgreSQL: set DATABASE_URL")
        fund = bench_fund()
        started = time.perf_counter()
        ensure_households(households, fund)
        starter = bench_user("bench_starter", Role.CENTRE_STAFF, fund)
        approver = bench_user("bench_approver", Role.FUND_APPROVER, fund)
        batch = computed_batch(fund=fund, households=households, starter=starter)
        figures = approval_figures(batch=Batch.objects.get(pk=batch.pk))
        year = figures.year
        if figures.balance < figures.total:
            services.budget_allocate(actor=approver, union=fund, year=year, amount=figures.total - figures.balance
                                     + Decimal("1"), memo="bench")  # fmt: skip
        self.stderr.write(f"data ready in {time.perf_counter() - started:.1f} s; approving …")

        client = Client()
        client.force_login(approver)
        caught, real = _Caught(), services.freeze_batch
        services.freeze_batch = caught
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"]):
                # A server that has answered before (URLconf, middleware, session loaded): not the first request.
                client.get(reverse("programs:batch_progress", args=[batch.pk]))
                url = reverse("programs:batch_approve", args=[batch.pk])
                data = {"confirmed_total": str(figures.total), "checked": "on"}
                clicked = time.perf_counter()
                response = client.post(url, data)
                request_ms = (time.perf_counter() - clicked) * 1000
        finally:
            services.freeze_batch = real
        batch.refresh_from_db()
        if response.status_code != 302 or batch.status != Batch.Status.APPROVED or caught.sent != [batch.pk]:
            raise CommandError(f"the approval did not go through: {response.status_code} {batch.status}")
        frozen_started = time.perf_counter()
        batch_freeze(batch_id=batch.pk)
        done = time.perf_counter()
        batch.refresh_from_db()
        if batch.freeze != Batch.Freeze.DONE or Payment.objects.filter(batch=batch, status="pending").exists():
            raise CommandError("the freeze did not complete")
        result = {
            "households": households,
            "payments": batch.freeze_done,
            "request_ms": round(request_ms, 1),
            "freeze_s": round(done - clicked, 2),
            "freeze_only_s": round(done - frozen_started, 2),
        }
        self.stdout.write(json.dumps(result))
