"""How fast a city's register comes in: check+stage and commit of a generated register workbook.

    python manage.py bench_import --households 100000

Generates a register workbook of that many filed households (one to four members each, streamed in
write-only mode), uploads it as centre staff of a fresh union tree of its own, times the check and
staging (``register_stage``: streaming read, per-row checks, COPY, set-wise SQL checks) and, after a
second user's approval, the commit (``register_commit``: one transaction of INSERT … SELECT), with the
process's peak RSS. In the same run it COPYs the same rows, as bare text, into a temporary table: the
floor no import can beat. The households are left in the database (each run uses its own 身份证号
area code and 职工编号 prefix), so run it on a database of your own.

The last line is one JSON object: ``households``, ``stage_s``, ``commit_s``, ``peak_rss_mb``,
``copy_floor_s``, ``ratio`` ((stage + commit) ÷ floor), and the member rows.
"""

import io
import json
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard
from cases.register.engine import kind_of, register_commit, register_stage
from cases.register.services import register_approve, register_upload
from cases.register.workbook import register_xlsx
from hardship.identity import make_id_number
from hardship.models import Role, Union, User
from hardship.services import role_assign, union_create

CAUSES = ("患重特大疾病", "下岗失业", "无劳动能力", "子女上学")
WORK = ("在职", "灵活就业", "失业/未就业", "退休")
TIERS = ("特困", "深度困难", "相对困难")


class Command(BaseCommand):
    help = "Time the staged register import (check+stage, commit) of a generated register; JSON on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=10_000)

    def handle(self, *args, households: int, **options):
        if households < 1:
            raise CommandError("--households must be at least 1")
        run = f"{random.randrange(10**6):06d}"  # noqa: S311 — test data, not a secret
        union, uploader, approver = _setup(run)
        # The bench runs the check and the commit itself, in this process: nothing is sent to a worker.
        with tempfile.TemporaryDirectory() as folder, mock.patch("cases.register.services.enqueue"):
            path = Path(folder) / f"存量档案-{run}.xlsx"
            started = time.perf_counter()
            members = _write_register(path, households, run)
            self.log(f"workbook: {households} households, {members} rows, {path.stat().st_size / 1e6:.1f} MB "
                     f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
            started = time.perf_counter()
            with path.open("rb") as handle:
                register_import = register_upload(actor=uploader, union=union, kind="households",
                                                  file=File(handle, name=path.name))  # fmt: skip
            register_import = register_stage(import_id=register_import.pk)
            stage_s = time.perf_counter() - started
            counts = register_import.counts
            self.log(f"stage: {stage_s:.1f} s, {counts}")
            if counts.get("errors") or counts.get("new") != households:
                raise CommandError(f"the generated register did not check clean: {counts}")
            started = time.perf_counter()
            register_approve(actor=approver, import_id=register_import.pk)
            register_import = register_commit(import_id=register_import.pk)
            commit_s = time.perf_counter() - started
            self.log(f"commit: {commit_s:.1f} s, created {register_import.counts.get('created')}")
            copy_floor_s = _copy_floor(households, run)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "households": households,
            "stage_s": round(stage_s, 2),
            "commit_s": round(commit_s, 2),
            "peak_rss_mb": round(peak, 1),
            "copy_floor_s": round(copy_floor_s, 2),
            "ratio": round((stage_s + commit_s) / copy_floor_s, 1) if copy_floor_s else None,
            "rows": members,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def log(self, message: str) -> None:
        self.stderr.write(message)


def _setup(run: str) -> tuple[Union, User, User]:
    with transaction.atomic():
        city = union_create(actor=None, name=f"基准市总工会{run}", code=f"BENCH-{run}", level=Union.Level.CITY)
        district = union_create(actor=None, name=f"基准区总工会{run}", code=f"BENCH-{run}-D",
                                level=Union.Level.DISTRICT, parent=city)  # fmt: skip
        HardshipStandard.objects.create(union=city, **WUXI_STANDARD)
        users = []
        for suffix in ("a", "b"):
            user = User.objects.create_user(username=f"bench-import-{run}-{suffix}", password=None,
                                            full_name=f"基准{suffix}")  # fmt: skip
            role_assign(actor=None, user=user, union=district, role=Role.CENTRE_STAFF)
            users.append(User.objects.get(pk=user.pk))
    return district, users[0], users[1]


def _people(households: int, run: str):
    """(group, relation, name, 身份证号, work) of every member row, distinct numbers for this run."""
    area = f"32{run[:4]}"
    rng = random.Random(int(run))  # noqa: S311 — test data
    person = 0
    for group in range(1, households + 1):
        size = rng.choice((1, 2, 2, 3, 3, 4))
        for position in range(size):
            birth = date(1950, 1, 1) + timedelta(days=person // 1000)
            number = make_id_number(area, birth if position < 2 else birth + timedelta(days=15000), person % 1000)
            relation = "本人（户主）" if position == 0 else ("配偶" if position == 1 else "子女")
            yield group, relation, number, rng
            person += 1


def _rows(households: int, run: str):
    for group, relation, number, rng in _people(households, run):
        row = {"户编号": group, "与户主关系": relation, "姓名": f"成员{group}", "身份证号": number,
               "就业就学状况": "在校学生" if relation == "子女" else rng.choice(WORK),
               "工资性收入（元/年）": rng.randrange(0, 30000, 100) if relation != "子女" else None}  # fmt: skip
        if relation == "子女":
            row["就学阶段"] = "初中"
        if relation == "本人（户主）":
            row.update({
                "职工编号": f"B{run}-{group:07d}", "建档日期": date(2019, 1, 1) + timedelta(days=group % 1800),
                "困难类别（原记录）": rng.choice(TIERS), "上次复核日期": date(2025, 1, 1) + timedelta(days=group % 300),
                "联系电话": f"139{group:08d}", "家庭住址": f"基准区某街道 {group} 号",
                "主要致困原因": rng.choice(CAUSES), "开户银行": "中国工商银行", "银行卡号": "6222021234567890128",
            })  # fmt: skip
        yield row


def _write_register(path: Path, households: int, run: str) -> int:
    count = 0

    def counted():
        nonlocal count
        for row in _rows(households, run):
            count += 1
            yield row

    register_xlsx(kind_of("households"), counted(), target=str(path))
    return count


def _copy_floor(households: int, run: str) -> float:
    """A bare COPY of the same rows (every cell as text) into a temporary table: the floor (only the COPY is
    timed, not the making of the rows)."""
    headers = [c.header for c in kind_of("households").columns]
    chunk, spent = [], 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(len(headers)))
        cursor.execute(f"CREATE TEMPORARY TABLE bench_copy_floor ({columns}) ON COMMIT DROP")

        def copy(lines: list[str]) -> float:
            buffer = io.StringIO("\n".join(lines) + "\n")
            started = time.perf_counter()
            cursor.cursor.copy_expert("COPY bench_copy_floor FROM STDIN", buffer)
            return time.perf_counter() - started

        for row in _rows(households, run):
            chunk.append("\t".join("\\N" if row.get(h) is None else str(row[h]) for h in headers))
            if len(chunk) == 5000:
                spent, chunk = spent + copy(chunk), []
        if chunk:
            spent += copy(chunk)
    return spent
