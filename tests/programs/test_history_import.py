"""历史发放: payments made before the portal, imported through the same staged register import, become the
household's ledger history — the first batch never pays those periods again and the yearly cap counts them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import HardshipStandard
from cases.register.engine import kind_of, register_commit, register_stage
from cases.register.models import ImportStage, StagedError
from cases.register.services import register_approve, register_upload
from cases.register.workbook import register_xlsx
from hardship.models import Role
from programs.assistance.models import Entitlement
from tests.factories import user_with_role
from tests.programs.test_money import amounts, filed, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心陈静")


def paid(id_number, program, period, amount, day="2026-03-25") -> dict:
    return {"户主身份证号": id_number, "帮扶项目": program, "发放期": period, "金额（元）": amount, "发放日期": day}


def history(centre, second, tree, rows, *, commit=True):
    upload = SimpleUploadedFile("历史发放.xlsx", register_xlsx(kind_of("payments"), rows))
    register_import = register_upload(actor=centre, union=tree["city"], kind="payments", file=upload)
    register_import = register_stage(import_id=register_import.pk)
    if commit and not register_import.counts["errors"]:
        register_approve(actor=second, import_id=register_import.pk)
        register_import = register_commit(import_id=register_import.pk)
    return register_import


def test_past_payments_stop_the_first_batch_paying_those_periods_again(fund, tree, grassroots, centre, second):
    # given a filed 特困 household whose 2026-Q1 subsidies were paid in the old system
    household = filed(grassroots, tree["company"])
    done = history(centre, second, tree, [paid(household.head_id_number, "生活补贴", "2026-Q1", "350"),
                                          paid(household.head_id_number, "price", "2026-Q1", "150")])  # fmt: skip
    assert done.status == ImportStage.COMMITTED and done.counts["created"] == 2

    # when the first batch for 2026-Q1 is computed
    _batch, result = run(fund, "2026-Q1")

    # then nothing is owed again for that quarter (only the year's 两节送温暖, due in Q1, is new)
    assert not Entitlement.objects.filter(household=household, period_key="2026-Q1", batch__isnull=False).exists()
    assert result.created == 1 and amounts(household, "2026") == {"festival": Decimal("3500.00")}
    rows = Entitlement.objects.filter(household=household, period_key="2026-Q1")
    assert rows.count() == 2 and all(e.batch_id is None and e.register_import_id == done.pk for e in rows)
    assert "历史发放" in rows.first().detail and "第 2 行" in rows.get(program__code="living").detail


def test_the_yearly_cap_counts_past_payments(fund, tree, grassroots, centre, second, standard):
    # 低保 60/month: a one-person household's 生活救助 may total 720 a year; 700 were paid before the portal.
    HardshipStandard.objects.filter(pk=standard.pk).update(dibao_monthly=Decimal("60"))
    household = filed(grassroots, tree["company"])
    history(centre, second, tree, [paid(household.head_id_number, "living", "2026-Q1", "350"),
                                   paid(household.head_id_number, "living", "2026-Q2", "350")])  # fmt: skip

    run(fund, "2026-Q3")

    assert amounts(household, "2026-Q3") == {"living": Decimal("20.00")}


def test_the_same_payments_imported_twice_are_recorded_once(fund, tree, grassroots, centre, second):
    household = filed(grassroots, tree["company"])
    rows = [paid(household.head_id_number, "living", "2025-Q4", "350")]

    history(centre, second, tree, rows)
    again = history(centre, second, tree, rows)

    assert (again.counts["new"], again.counts["matched"], again.counts["created"]) == (0, 1, 0)
    assert Entitlement.objects.filter(household=household).count() == 1


def test_a_payment_row_is_refused_by_row_and_column_when_it_names_no_filed_household_or_program(
    fund, tree, grassroots, centre, second
):
    household = filed(grassroots, tree["company"])
    rows = [
        paid("320206198005010011", "living", "2026-Q1", "350"),  # row 2: nobody filed with this 户主
        paid(household.head_id_number, "不存在的项目", "2026-Q1", "350"),  # row 3
        paid(household.head_id_number, "oneoff", "2026-Q1", "1200"),  # row 4: a yearly program needs a year
        paid(household.head_id_number, "living", "2025-Q3", "350"),
        paid(household.head_id_number, "living", "2025-Q3", "350"),  # row 6: the same period twice
    ]

    register_import = history(centre, second, tree, rows, commit=False)

    errors = {(e.row_number, e.column) for e in StagedError.objects.filter(register_import=register_import)}
    assert errors == {(2, "户主身份证号"), (3, "帮扶项目"), (4, "发放期"), (6, "发放期")}
    assert not Entitlement.objects.exists()
