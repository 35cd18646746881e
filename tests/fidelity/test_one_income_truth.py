"""One income truth: income is recorded per member and source; the household's is their sum, everywhere.

Before, the form asked each member's 月收入 and, separately, the household's yearly income, and the
tier read only the second: a member earning 3,000 a month was filed as 人均 0.00, 特困.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.excel import households_export_xlsx
from cases.models import Household, Tier
from cases.selectors import household_list
from cases.services import household_create
from hardship.identity import make_id_number
from tests.cases.conftest import WUXI, form_post, household_data, member_row, person

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("320206", date(1978, 3, 12), 901)
SPOUSE_ID = make_id_number("320206", date(1980, 6, 2), 902)


def test_a_members_monthly_income_moves_the_tier(client, tree, standard, grassroots):
    # Given a couple: the head at work, the spouse unable to work, no income entered yet
    client.force_login(grassroots)
    members = [member_row(id_number=HEAD_ID, income_wages="0"),
               member_row("spouse", "李秀英", SPOUSE_ID, "unable")]  # fmt: skip
    client.post(reverse("cases:household_create"), form_post(tree["company"], members))
    household = Household.objects.get()
    assert (household.per_capita_income, household.tier) == (Decimal("0.00"), Tier.EXTREME)
    head, spouse = household.members.order_by("position")

    # When the head's pay is entered as 3,000 a month on the member row
    edit = form_post(tree["company"], [
        member_row(id_number=HEAD_ID, income_unit="month", income_wages="3000", id=head.pk),
        member_row("spouse", "李秀英", SPOUSE_ID, "unable", id=spouse.pk),
    ], version=household.version, **{"members-INITIAL_FORMS": "2"})  # fmt: skip
    response = client.post(reverse("cases:household_edit", args=[household.pk]), edit, follow=True)

    # Then it counts as 36,000 a year: 人均 1,500.00, 相对困难 — on the page too
    household.refresh_from_db()
    assert household.members.get(pk=head.pk).income_wages == Decimal("36000.00")
    assert (household.per_capita_income, household.tier) == (Decimal("1500.00"), Tier.RELATIVE)
    assert '<div class="metric-value" data-testid="per-capita">1500.00</div>' in response.content.decode()


def test_the_household_income_is_the_members_sum_on_the_page_print_export_and_api(client, tree, standard,
                                                                                   grassroots):  # fmt: skip
    # Given a head earning 36,000 in wages and a retired parent with a 14,400 pension
    household = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[
        person(income_wages=Decimal("36000")),
        person("parent", "蒋福根", date(1950, 2, 3), "retired", income_pension=Decimal("14400")),
    ])  # fmt: skip
    client.force_login(grassroots)

    # When each reader shows the household's income
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    printed = client.get(reverse("cases:household_print", args=[household.pk])).content.decode()
    sheet = openpyxl.load_workbook(BytesIO(households_export_xlsx(households=household_list(user=grassroots)))).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=grassroots)[0].key}")
    body = api.get(f"/api/households/{household.pk}/").json()

    # Then every one says 50,400.00, the members' sum, and the tier was computed from it
    assert '<dd class="col-5 text-end border-top pt-1 fw-semibold" data-testid="recorded-income">50400.00</dd>' in page
    assert '<td data-testid="recorded-income">50400.00</td>' in printed
    assert Decimal(str(row[header.index("家庭年收入（元，各成员之和）")])) == Decimal("50400.00")
    assert Decimal(body["recorded_income"]) == Decimal("50400.00")
    assert sum(Decimal(m["annual_income"]) for m in body["members"]) == Decimal("50400.00")
    assert household.annual_income == Decimal("50400.00") and household.per_capita_income == Decimal("2100.00")


def test_the_sql_twin_reads_the_members_incomes_as_the_python_rule_does(tree, standard, grassroots):
    # Given households whose income sits on different members and sources
    from cases.tiers import annotate_tier

    for index, (wages, pension) in enumerate([("0", "0"), ("17280", "0"), ("0", "17281"), ("20000", "9520")]):
        household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[
            person(name=f"职工{index}", income_wages=Decimal(wages)),
            person("parent", f"父亲{index}", date(1950, 2, 3), "retired", income_pension=Decimal(pension)),
        ])  # fmt: skip

    # When the SQL twin (previews, bulk re-tiering) computes them
    rows = annotate_tier(Household.objects.all(), standard).values_list(
        "tier", "new_tier", "per_capita_income", "new_per_capita"
    )

    # Then it agrees with the stored Python result, household by household
    assert [(t, pc) for t, _n, pc, _p in rows] == [(n, p) for _t, n, _pc, p in rows]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_tier_and_says_where_a_members_income_was_never_counted(tree):
    # Given files of the old shape: household-level income by source, and members' 月收入
    executor = MigrationExecutor(connection)
    before = [("cases", "0006_mutual_cover_claims")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Household, Member = old.get_model("cases", "Household"), old.get_model("cases", "Member")  # noqa: N806
    Standard = old.get_model("cases", "HardshipStandard")  # noqa: N806
    Standard.objects.create(union_id=tree["city"].pk, **WUXI)
    common = {"union_id": tree["company"].pk, "phone": "13905100001", "address": "路 1 号", "main_cause": "other",
              "tier": "relative", "per_capita_income": Decimal("1460.00"), "annual_income": Decimal("35040"),
              "member_count": 2}  # fmt: skip
    consistent = Household.objects.create(
        head_name="吴永福",
        head_id_number=HEAD_ID,
        income_wages=Decimal("30000"),
        income_pension=Decimal("4200"),
        income_union_aid=Decimal("840"),
        **common,
    )
    Member.objects.create(
        household=consistent,
        relation="self",
        name="吴永福",
        id_number=HEAD_ID,
        sex="M",
        birth_date=date(1978, 3, 12),
        work_status="employed",
        monthly_income=Decimal("2500"),
    )
    Member.objects.create(
        household=consistent,
        relation="parent",
        name="吴老伯",
        id_number=SPOUSE_ID,
        sex="M",
        birth_date=date(1950, 2, 3),
        work_status="retired",
        monthly_income=Decimal("350"),
    )
    third = make_id_number("320206", date(1985, 1, 1), 903)
    never_counted = Household.objects.create(head_name="沈海", head_id_number=third,
                                             **{**common, "tier": "extreme", "per_capita_income": 0,
                                                "annual_income": 0, "member_count": 1})  # fmt: skip
    Member.objects.create(
        household=never_counted,
        relation="self",
        name="沈海",
        id_number=third,
        sex="M",
        birth_date=date(1985, 1, 1),
        work_status="employed",
        monthly_income=Decimal("3000"),
    )

    # When the migration runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("cases", "0007_income_per_member")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then each source's household sum is what it was, on the member whose work it was, the rest on the head
    from cases.models import Household as Now
    from cases.services import household_recompute
    from hardship.models import AuditEvent

    first = Now.objects.get(head_name="吴永福")
    head, parent = first.members.order_by("position", "id")
    assert (head.income_wages, head.income_union_aid, parent.income_pension) == (30000, 840, 4200)
    assert first.recorded_income == Decimal("35040")
    # and recomputing changes no tier — including the file whose member's 月收入 was never counted,
    assert household_recompute(household=first).tier == "relative"
    second = Now.objects.get(head_name="沈海")
    assert household_recompute(household=second).tier == "extreme" and second.recorded_income == 0
    # which says so in its history, in words, for staff to correct by a change request
    note = AuditEvent.objects.get(verb="household.income_migrated", target_id=str(second.pk))
    assert note.changes == {"members.沈海.monthly_income_unrecorded": ["3000.00", None]}
    assert not AuditEvent.objects.filter(verb="household.income_migrated", target_id=str(first.pk)).exists()
