"""Export jobs: a large household list or bank file is written by a worker, listed in 「我的导出」 for
24 hours, downloaded by its owner only (each download an audit event), and deleted when it expires."""

import csv
import io
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.services import household_create
from hardship import services
from hardship.models import AuditEvent, ExportJob, Role, RoleAssignment
from programs.assistance import services as money
from tests.cases.conftest import household_data, person
from tests.factories import user_with_role
from tests.hardening.test_cell_escaping import _approved_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_INLINE_MAX_ROWS = 0  # every export is "large": written by the task


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _run_queued() -> None:
    """What the worker does once the request's transaction commits (the test's transaction never does)."""
    for job in ExportJob.objects.filter(status=ExportJob.Status.QUEUED):
        services.export_run(job_id=job.pk)


def test_a_large_household_export_is_written_by_the_task_and_downloaded_by_its_owner(tree, grassroots, standard):
    household_create(actor=grassroots, union=tree["company"], members=[person(name="欧阳秀英")], data=household_data())
    client = _client(grassroots)

    response = client.get(reverse("cases:household_export"))

    assert response.status_code == 302 and response["Location"] == reverse("hardship:export_list")
    listed = client.get(reverse("hardship:export_list")).content.decode()
    assert "家庭档案 1 户" in listed and "export-download" not in listed  # still being written
    _run_queued()
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.rows_done == 1
    assert 'data-testid="export-download"' in client.get(reverse("hardship:export_list")).content.decode()
    download = client.get(reverse("hardship:export_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["欧阳秀英"]
    assert AuditEvent.objects.filter(verb="export.download", actor=grassroots).count() == 1
    assert AuditEvent.objects.filter(verb="household.export", actor=grassroots).count() == 1


def test_another_user_even_in_the_same_union_gets_404_for_an_export(tree, grassroots, standard):
    household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())
    _client(grassroots).get(reverse("cases:household_export"))
    _run_queued()
    job = ExportJob.objects.get()
    colleague = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])

    assert _client(colleague).get(reverse("hardship:export_download", args=[job.pk])).status_code == 404
    assert "家庭档案 1 户" not in _client(colleague).get(reverse("hardship:export_list")).content.decode()
    assert not AuditEvent.objects.filter(verb="export.download").exists()


def test_an_owner_who_lost_the_role_can_no_longer_download(tree, grassroots, standard):
    household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())
    _client(grassroots).get(reverse("cases:household_export"))
    _run_queued()
    job = ExportJob.objects.get()
    RoleAssignment.objects.filter(user=grassroots).delete()
    grassroots = type(grassroots).objects.get(pk=grassroots.pk)  # fresh role cache
    RoleAssignment.objects.create(user=grassroots, union=tree["binhu"], role=Role.GRASSROOTS_STAFF)

    assert _client(grassroots).get(reverse("hardship:export_download", args=[job.pk])).status_code == 404


def test_a_large_bank_file_is_written_by_the_task_with_the_rows_of_the_immediate_one(tree, grassroots, standard):
    batch = _approved_batch(tree, grassroots, amounts=("350.00", "150.00"))
    approver = user_with_role(Role.FUND_APPROVER, tree["city"])
    client = _client(approver)

    response = client.get(reverse("programs:batch_bank_file", args=[batch.pk]), {"bank": "中国工商银行",
                                                                                 "format": "csv"})  # fmt: skip
    _run_queued()

    assert response.status_code == 302 and response["Location"] == reverse("hardship:export_list")
    job = ExportJob.objects.get()
    assert job.kind == "bank_file" and job.rows_done == 2
    download = client.get(reverse("hardship:export_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == money.BANK_COLUMNS
    assert sorted(r[3] for r in rows[1:]) == ["150.00", "350.00"] and {r[2] for r in rows[1:]} == {
        "6222021234567890128"
    }
    assert AuditEvent.objects.filter(verb="batch.bank_file", actor=approver).count() == 1
    assert AuditEvent.objects.filter(verb="export.download", actor=approver).count() == 1


def test_expired_exports_are_deleted_with_their_files(tree, grassroots, standard):
    household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())
    _client(grassroots).get(reverse("cases:household_export"))
    _run_queued()
    job = ExportJob.objects.get()
    name = job.file.name
    assert default_storage.exists(name)

    assert services.exports_purge_expired(now=timezone.now() + timedelta(hours=23)) == 0
    purged = services.exports_purge_expired(now=timezone.now() + timedelta(hours=25))

    assert purged == 1 and not ExportJob.objects.exists() and not default_storage.exists(name)


def test_a_small_export_stays_immediate(tree, grassroots, standard, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())

    response = _client(grassroots).get(reverse("cases:household_export"))

    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert not ExportJob.objects.exists()


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_a_real_worker_writes_the_export(tree, grassroots, standard, worker_factory, monkeypatch, settings):
    from hardship import tasks

    _proc, queue = worker_factory(MEDIA_ROOT=settings.MEDIA_ROOT)  # the storage this test reads back
    task = tasks.run_export

    class OnThisQueue:  # the export task the request sends goes to this test's worker
        name = task.name

        def apply_async(self, **options):
            return task.apply_async(queue=queue, **options)

    monkeypatch.setattr(services, "run_export", OnThisQueue())
    for _n in range(3):
        household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())
    client = _client(grassroots)

    client.get(reverse("cases:household_export"))

    deadline = time.monotonic() + 60
    while ExportJob.objects.get().status != ExportJob.Status.DONE and time.monotonic() < deadline:
        time.sleep(0.2)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.rows_done == 3
    assert client.get(reverse("hardship:export_download", args=[job.pk])).status_code == 200
