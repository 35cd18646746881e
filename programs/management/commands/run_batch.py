"""`python manage.py run_batch --period 2026-Q4 [--union WX]`: the quarterly batch, synchronously.

The last line printed is one JSON object: eligible, created, skipped, total_amount.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from hardship.models import Union
from programs.assistance.batch import BatchBusy, batch_compute
from programs.assistance.models import Batch, Program
from programs.assistance.periods import parse_quarter


class Command(BaseCommand):
    help = "Compute the assistance batch of a period (the same service the Celery task runs)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="e.g. 2026-Q4")
        parser.add_argument("--union", help="code of the fund's union (default: the only fund)")

    def handle(self, *args, period, union=None, **options):
        try:
            quarter = parse_quarter(period)
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        funds = Union.objects.filter(programs__is_active=True).distinct()
        if union:
            funds = funds.filter(code=union)
        fund = funds.first()
        if fund is None or (not union and funds.count() > 1):
            raise CommandError("name the fund's union with --union CODE" if fund else "no fund has active programs")
        if not Program.objects.filter(fund_union=fund, is_active=True).exists():
            raise CommandError("no active programs")
        batch = Batch.objects.filter(union=fund, period=quarter.key).exclude(status=Batch.Status.REJECTED).first()
        if batch is None:
            try:
                batch = Batch.objects.create(union=fund, period=quarter.key)
            except IntegrityError:
                batch = Batch.objects.get(union=fund, period=quarter.key)
        try:
            result = batch_compute(batch_id=batch.pk)
        except BatchBusy as exc:
            raise CommandError(str(exc)) from exc
        batch.refresh_from_db()
        self.stdout.write(f"batch {batch.pk} {fund.name} {quarter.key}: {batch.get_status_display()}")
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
