"""`python manage.py bench_export --rows N`: a city-wide household export written by the export task.

- Makes sure there are N filed bench households (set-based, _bench_data.py).
- Queues the export as the household list's 导出 button does above EXPORT_INLINE_MAX_ROWS (an export
  job for a centre user of the whole city, the list searched to the bench households), then runs the
  task — ``hardship.services.export_run``, as a worker would — in a child process, whose peak RSS the
  kernel reports (wait4): the file is streamed, so memory stays flat in the number of rows.
- Prints one JSON object as its last line: rows, export_s (the child's wall time, Django start
  included), peak_rss_mb, file_mb.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from hardship import services
from hardship.access import FILE_READERS
from hardship.models import ExportJob, Role

from ._bench_data import bench_fund, bench_user, ensure_households

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Caught:
    name = "hardship.tasks.run_export"

    def apply_async(self, **options):
        pass  # run below, in a child process


class Command(BaseCommand):
    help = "Benchmark a large household export through the export task (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--run-job", type=int, default=None, help="(internal) run one export job here")

    def handle(self, *args, rows: int, run_job: int | None, **options):
        if run_job is not None:
            job = services.export_run(job_id=run_job)
            self.stdout.write(json.dumps({"rows": job.rows_done}))
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_export measures PostgreSQL: set DATABASE_URL")
        fund = bench_fund()
        ensure_households(rows, fund)
        owner = bench_user("bench_exporter", Role.CENTRE_STAFF, fund)
        real, services.run_export = services.run_export, _Caught()
        try:
            with transaction.atomic():
                job = services.export_start(owner=owner, kind="households", title=f"bench {rows}",
                                            params={"search": "职工"}, union=fund, roles=FILE_READERS,
                                            rows_total=rows, filename="bench.xlsx", content_type=XLSX)  # fmt: skip
        finally:
            services.run_export = real
        elapsed, peak_rss_mb = self._run_child(job.pk)
        job.refresh_from_db()
        if job.status != ExportJob.Status.DONE:
            raise CommandError(f"the export failed: {job.error}")
        result = {
            "rows": job.rows_done,
            "export_s": round(elapsed, 2),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "file_mb": round(job.file.size / 1024 / 1024, 1),
        }
        self.stdout.write(json.dumps(result))

    def _run_child(self, job_id: int) -> tuple[float, float]:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                     "hardship.settings.local"))  # fmt: skip
        manage = Path(settings.BASE_DIR) / "manage.py"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(manage), "bench_export", "--run-job", str(job_id)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            raise CommandError(f"the export task failed: {err or out}")
        return elapsed, usage.ru_maxrss / 1024  # KiB on Linux
