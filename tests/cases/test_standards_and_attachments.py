"""Dated standards with a preview before saving; attachments checked by content and size."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Attachment, HardshipStandard, Household, Tier
from cases.services import household_create
from hardship.models import AuditEvent, Role
from tests.factories import user_with_role

from .conftest import WUXI, head_earning, household_data, person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], username="zhoumin")


def _household(actor, union, income):
    return household_create(actor=actor, union=union, data=household_data(),
                            members=head_earning(income, [person(name=f"户主{income}")]))  # fmt: skip


def _standard_post(union, **overrides):
    data = {"union": union.pk, "effective_from": timezone.localdate().isoformat(), "dibao_monthly": "1230",
            "extreme_line_monthly": "1500", "deep_multiple": "1", "relative_multiple": "2",
            "sudden_cost_ratio": "0.8", "minimum_wage_monthly": "2490", "note": "测试"}  # fmt: skip
    data.update(overrides)
    return data


def test_preview_lists_the_households_that_would_change_tier_and_saves_nothing(client, tree, standard, grassroots,
                                                                                centre):  # fmt: skip
    moves = _household(grassroots, tree["company"], "17520")  # 1460: 相对 → 特困 under a 1500 line
    _household(grassroots, tree["company"], "6000")  # 500: 特困 either way
    client.force_login(centre)

    response = client.post(reverse("cases:standard_create"), _standard_post(tree["city"], preview="1"))

    preview = response.context["preview"]
    assert preview["changed"] == 1
    assert [h.pk for h in preview["sample"]] == [moves.pk]
    assert preview["transitions"] == [{"tier": Tier.RELATIVE, "new_tier": Tier.EXTREME, "n": 1}]
    assert HardshipStandard.objects.count() == 1
    assert "确认保存" in response.content.decode()


def test_confirming_a_standard_in_force_today_re_tiers_the_households(client, tree, standard, grassroots, centre,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    moves = _household(grassroots, tree["company"], "17520")
    client.force_login(centre)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:standard_create"), _standard_post(tree["city"], confirm="1"))

    assert response.status_code == 302
    moves.refresh_from_db()
    assert moves.tier == Tier.EXTREME
    summary = AuditEvent.objects.filter(verb="standard.apply").get().changes
    assert (summary["households"], summary["changed"]) == ([None, 1], [None, 1])
    assert summary["tier_transitions"] == [None, "相对困难→特困 1 户"]


def test_a_future_standard_changes_nothing_until_its_day(client, tree, standard, grassroots, centre):
    moves = _household(grassroots, tree["company"], "17520")
    client.force_login(centre)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    client.post(reverse("cases:standard_create"), _standard_post(tree["city"], confirm="1", effective_from=tomorrow))

    moves.refresh_from_db()
    assert moves.tier == Tier.RELATIVE
    assert HardshipStandard.objects.count() == 2


def test_a_second_standard_on_the_same_day_is_refused_in_chinese(client, tree, standard, centre):
    client.force_login(centre)

    response = client.post(
        reverse("cases:standard_create"),
        _standard_post(tree["city"], confirm="1", effective_from=WUXI["effective_from"].isoformat()),
    )

    assert "已有一条标准" in response.content.decode()
    assert HardshipStandard.objects.count() == 1


def test_a_district_standard_governs_only_its_district(tree, standard, grassroots):
    from cases.services import standard_apply

    binhu_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"])
    huishan = _household(grassroots, tree["company"], "17520")
    binhu = _household(binhu_staff, tree["lihu"], "17520")
    district = HardshipStandard.objects.create(
        union=tree["binhu"], **{**WUXI, "effective_from": date(2025, 1, 1), "extreme_line_monthly": Decimal("1500")}
    )

    standard_apply(actor=None, standard=district)

    huishan.refresh_from_db()
    binhu.refresh_from_db()
    assert (huishan.tier, binhu.tier) == (Tier.RELATIVE, Tier.EXTREME)


def test_grassroots_staff_cannot_change_standards(client, tree, grassroots):
    client.force_login(grassroots)

    assert client.get(reverse("cases:standard_create")).status_code == 403


def _upload(client, household, name, content, kind="income_proof"):
    return client.post(
        reverse("cases:attachment_upload", args=[household.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.fixture
def household(tree, standard, grassroots):
    return _household(grassroots, tree["company"], "20000")


def test_a_pdf_proof_is_stored_and_can_be_downloaded_in_scope(client, household, grassroots, out_of_scope_user,
                                                              settings, tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    client.force_login(grassroots)

    response = _upload(client, household, "收入证明.pdf", PDF)

    attachment = Attachment.objects.get()
    assert "材料已上传" in response.content.decode()
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    download = client.get(reverse("cases:attachment_download", args=[household.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    client.force_login(out_of_scope_user)
    assert client.get(reverse("cases:attachment_download", args=[household.pk, attachment.pk])).status_code == 404


def test_a_file_that_is_not_pdf_or_image_is_refused_whatever_its_name(client, household, grassroots, settings,
                                                                      tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    client.force_login(grassroots)

    response = _upload(client, household, "证明.pdf", b"MZ\x90\x00 this is an exe")

    assert "只能上传 PDF、JPG 或 PNG" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_a_file_over_10_mb_is_refused(client, household, grassroots, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(grassroots)

    response = _upload(client, household, "big.png", PNG + b"\x00" * (10 * 1024 * 1024))

    assert "不能超过 10 MB" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_an_upload_is_recorded_in_the_files_history(client, household, grassroots, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(grassroots)

    _upload(client, household, "photo.png", PNG, kind="id_card")

    event = AuditEvent.objects.get(verb="household.attachment_add")
    assert event.target_id == str(household.pk)
    assert Household.objects.get().attachments.count() == 1
