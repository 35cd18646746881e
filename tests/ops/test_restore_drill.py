"""The restore drill: a backup of a portal that has done a quarter's work restores, whole, elsewhere.

Seed the demo, run a quarter's batch, approve it, download the bank file, reconcile it (one
payment failed: a reversal), upload an attachment; back up (encrypted); restore into a new
database on the same server and a new media root. Then every table has the same rows, the
ledger the same sums, the audit log the same events and its trigger still refuses an UPDATE,
the constraints are all there, every attachment's file has its checksum, and the portal
running on the restored database serves the household list and the attachment.
"""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import Attachment, Household
from cases.services.households import attachment_add
from hardship.models import Union, User
from ops.backup import BackupError, backup_create, backup_restore
from programs.assistance import services
from programs.assistance.models import Batch, Payment
from programs.assistance.periods import quarter_of

pytestmark = [pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% proof of income\n" + bytes(range(256)) * 40


def _result_file(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["参考号", "结果", "原因"])
    writer.writerows(rows)
    return SimpleUploadedFile("result.csv", buffer.getvalue().encode("utf-8"))


@pytest.fixture
def worked_portal(transactional_db, settings, tmp_path):
    """The demo after a quarter: a batch computed, approved, paid and reconciled; an attachment."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    centre, approver = User.objects.get(username="centre"), User.objects.get(username="approver")
    period = quarter_of(timezone.localdate()).key
    batch = services.batch_start(actor=centre, union=Union.objects.get(code="WX"), period=period,
                                 confirmed=True)  # computes (eager)  # fmt: skip
    batch = Batch.objects.get(pk=batch.pk)
    assert batch.status == Batch.Status.COMPUTED
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=Decimal(batch.summary["total_amount"]))
    payments = list(Payment.objects.filter(batch=batch).order_by("id"))
    assert len(payments) >= 2, "the demo's quarter pays nobody: the drill would prove little"
    for bank in {p.bank_name for p in payments}:
        services.bank_file(actor=approver, batch_id=batch.pk, bank=bank, fmt="csv")
    rows = [[p.reference, "失败" if p == payments[0] else "成功", "账户已销户"] for p in payments]
    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))
    household = Household.objects.get(head_name="蒋建华")
    attachment_add(actor=User.objects.get(username="grassroots"), household=household, kind="income_proof",
                   upload=SimpleUploadedFile("收入证明.pdf", PDF))  # fmt: skip
    return settings.MEDIA_ROOT


@pytest.fixture
def fresh_database():
    """A new, empty database on the test database's server, dropped afterwards."""
    source = connection.settings_dict
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _connect(database):
    params = {"dbname": database["NAME"], "user": database.get("USER"), "password": database.get("PASSWORD"),
              "host": database.get("HOST"), "port": database.get("PORT")}  # fmt: skip
    return psycopg2.connect(**{k: v for k, v in params.items() if v})


def _portrait(database) -> dict:
    """Everything the drill compares, read straight from a database."""
    conn = _connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
            cursor.execute("SELECT kind, sum(amount), count(*) FROM programs_ledgerentry GROUP BY kind ORDER BY kind")
            ledger = cursor.fetchall()
            cursor.execute("SELECT conname, contype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                           "WHERE n.nspname = 'public' ORDER BY 1")  # fmt: skip
            constraints = cursor.fetchall()
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")
            triggers = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
            indexes = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT id, verb FROM hardship_auditevent ORDER BY id")
            audit = cursor.fetchall()
            cursor.execute("SELECT file FROM cases_attachment ORDER BY id")
            files = [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()
    return {"counts": counts, "ledger": ledger, "constraints": constraints, "triggers": triggers,
            "indexes": indexes, "audit": audit, "files": files}  # fmt: skip


def _checksums(media_root: Path, files: list[str]) -> dict:
    return {name: hashlib.sha256((media_root / name).read_bytes()).hexdigest() for name in files}


def test_a_backup_restores_into_a_fresh_database_and_media_root_identical(worked_portal, fresh_database, tmp_path):
    source = connection.settings_dict
    made = backup_create(database=source, media_root=worked_portal, directory=tmp_path / "backups",
                         passphrase="drill-passphrase")  # fmt: skip
    restored_media = tmp_path / "restored-media"

    restored = backup_restore(archive=Path(made["archive"]), database=fresh_database, media_root=restored_media,
                              passphrase="drill-passphrase")  # fmt: skip

    before, after = _portrait(source), _portrait(fresh_database)
    assert after["counts"] == before["counts"] and sum(after["counts"].values()) > 100
    assert after["counts"]["programs_payment"] >= 2 and after["counts"]["cases_attachment"] == 1
    assert after["ledger"] == before["ledger"] and {kind for kind, *_ in after["ledger"]} >= {
        "allocation",
        "payment",
        "reversal",
    }
    assert after["audit"] == before["audit"]
    assert after["constraints"] == before["constraints"] and len(after["constraints"]) > 50
    assert after["indexes"] == before["indexes"] and after["triggers"] == before["triggers"]
    assert _checksums(restored_media, after["files"]) == _checksums(worked_portal, before["files"])
    assert (restored["households"], restored["ledger_sum"]) == (made["households"], made["ledger_sum"])
    assert made["encrypted"] and Path(made["archive"]).read_bytes()[:8] == b"Salted__"

    # The audit log is still append-only in the restored database.
    conn = _connect(fresh_database)
    try:
        with conn.cursor() as cursor, pytest.raises(psycopg2.errors.RaiseException, match="refused"):
            cursor.execute("UPDATE hardship_auditevent SET verb = 'rewritten'")
    finally:
        conn.close()

    # The portal, running on the restored database and media root, serves the files.
    attachment = Attachment.objects.get()
    script = f"""
from django.test import Client
from hardship.models import Union, User
client = Client()
client.force_login(User.objects.get(username="centre"))
listing = client.get("/cases/")
download = client.get("/cases/{attachment.household_id}/attachments/{attachment.pk}/")
print(listing.status_code, "蒋建华" in listing.content.decode(), download.status_code,
      b"".join(download.streaming_content) == {PDF!r})
"""
    database_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**fresh_database)
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(restored_media), "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "hardship.settings.test", "ALLOWED_HOSTS": "testserver"}  # fmt: skip
    served = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert served.stdout.split() == ["200", "True", "200", "True"], served.stderr[-3000:]


def test_restore_refuses_a_database_that_is_not_empty(worked_portal, tmp_path):
    made = backup_create(database=connection.settings_dict, media_root=worked_portal, directory=tmp_path / "b")

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive=Path(made["archive"]), database=connection.settings_dict, media_root=tmp_path / "m")


def test_restore_refuses_a_damaged_archive_and_a_wrong_passphrase(worked_portal, fresh_database, tmp_path):
    made = backup_create(database=connection.settings_dict, media_root=worked_portal, directory=tmp_path / "b",
                         passphrase="right")  # fmt: skip
    archive = Path(made["archive"])

    with pytest.raises(BackupError, match="passphrase"):
        backup_restore(archive=archive, database=fresh_database, media_root=tmp_path / "m1", passphrase="wrong")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged"):
        backup_restore(archive=archive, database=fresh_database, media_root=tmp_path / "m2", passphrase="right")
    assert not any((tmp_path / "m1").iterdir()) and not (tmp_path / "m2").exists()


def test_the_backup_command_prints_one_json_line_and_keeps_only_the_last_days(worked_portal, tmp_path, settings):
    directory = tmp_path / "backups"
    directory.mkdir()
    old = directory / "portal-20200101T020000Z.tar"
    old.write_bytes(b"old")
    Path(f"{old}.sha256").write_text("x  portal-20200101T020000Z.tar\n")
    out = io.StringIO()

    call_command("backup", "--dir", str(directory), "--keep-days", "7", stdout=out)

    line = json.loads(out.getvalue())
    assert line["households"] == Household.objects.count() and line["bytes"] > 0 and line["pruned"] == 1
    assert {p.name for p in directory.iterdir()} == {Path(line["archive"]).name, Path(line["archive"]).name + ".sha256"}
