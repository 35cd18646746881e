"""信息比对: consent → request → result file → flags → adjudication, and the batch's hold."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from cases.changes.models import ChangeStatus
from cases.changes.services import change_approve
from cases.crosscheck import services as xs
from cases.crosscheck.models import DEFAULT_BUSINESS_ROLES, FlagCode, FlagRuleSet, FlagStatus, Registry, RequestScope
from cases.models import Household, Status, Tier
from cases.services import household_create
from hardship.models import AuditEvent, Role
from hardship.spreadsheet import csv_bytes
from tests.cases.conftest import head_earning, household_data, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 signed authorisation\n%%EOF"
REGISTRIES = {
    "dibao": ("minzheng", "民政低保/特困名单", {"id_number": "身份证号", "roll": "救助类别"}),
    "property": ("budongchan", "不动产登记", {"id_number": "身份证号", "count": "房产套数", "area": "建筑面积合计"}),
    "vehicle": ("cheliang", "车辆登记", {"id_number": "身份证号", "count": "车辆数"}),
    "business": ("shichang", "市场监管", {"id_number": "身份证号", "role": "任职/出资身份", "capital": "认缴出资额"}),
    "social": ("shebao", "社保", {"id_number": "身份证号", "pension": "月养老金", "contribution": "月缴费额"}),
}


def registry(kind: str) -> Registry:
    code, name, columns = REGISTRIES[kind]
    found, _ = Registry.objects.get_or_create(code=code, defaults={
        "name": name, "kind": kind, "request_columns": ["name", "id_number", "relation", "household"],
        "result_columns": columns})  # fmt: skip
    return found


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心周敏")


@pytest.fixture
def second_centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心李强")


@pytest.fixture
def rules(tree):
    return FlagRuleSet.objects.create(union=tree["city"], effective_from=date(2026, 1, 1), average_area=Decimal("40"),
                                      business_roles=DEFAULT_BUSINESS_ROLES)  # fmt: skip


def filed_household(actor, union, *members, status=Status.FILED):
    members = members or tuple(head_earning("6000"))
    household = household_create(actor=actor, union=union, data=household_data(bank_card="6222021234567890128",
                                                                               bank_name="中国工商银行"),
                                 members=list(members))  # fmt: skip
    Household.objects.filter(pk=household.pk).update(status=status, filed_at=date(2026, 1, 5))
    household.refresh_from_db()
    return household


def consent(actor, household, *members, kinds=("dibao", "property", "vehicle", "business", "social")):
    return xs.consent_record(
        actor=actor, household=household, member_ids=[m.pk for m in members],
        upload=SimpleUploadedFile("授权书.pdf", PDF, content_type="application/pdf"),
        signed_on=timezone.localdate() - timedelta(days=3), valid_until=timezone.localdate() + timedelta(days=365),
        registry_ids=[registry(k).pk for k in kinds],
    )  # fmt: skip


def head(household):
    return household.members.get(relation="self")


def upload(actor, check, kind, rows):
    columns = REGISTRIES[kind][2]
    header = list(columns.values())
    data = csv_bytes([header, *rows])
    return xs.results_upload(actor=actor, check=check, registry=registry(kind), data=data, name=f"{kind}.csv",
                             result_date=timezone.localdate())  # fmt: skip


def request_for(actor, tree, *kinds):
    return xs.request_create(actor=actor, union_id=tree["city"].pk, scope=RequestScope.UNION,
                             registry_ids=[registry(k).pk for k in kinds])  # fmt: skip


def test_a_member_without_consent_is_not_in_the_request_and_is_listed(tree, grassroots, centre, standard):
    # Given a couple where only the head signed the authorisation
    household = filed_household(grassroots, tree["company"], person(), person("spouse", "李秀英", date(1980, 6, 2)))
    consent(grassroots, household, head(household))
    # When the centre sends the union's filed households to 民政
    check = request_for(centre, tree, "dibao")
    # Then only the head is in the file; the spouse is listed as excluded
    rows = list(xs.request_file_rows(check=check, registry=registry("dibao")))
    assert [r[1] for r in rows] == [head(household).id_number]
    assert check.people == 1 and check.excluded_count == 1
    assert check.excluded[0]["name"] == "李秀英"


def test_an_expired_consent_or_one_for_another_registry_does_not_count(tree, grassroots, centre, standard):
    household = filed_household(grassroots, tree["company"])
    consent(grassroots, household, head(household), kinds=("vehicle",))
    check = request_for(centre, tree, "dibao", "vehicle")
    assert list(xs.request_file_rows(check=check, registry=registry("dibao"))) == []
    assert len(list(xs.request_file_rows(check=check, registry=registry("vehicle")))) == 1


def test_results_become_the_right_flags(tree, grassroots, centre, standard, rules, django_capture_on_commit_callbacks):
    # Given four consented households
    on_roll = filed_household(grassroots, tree["company"])
    homes = filed_household(grassroots, tree["company"])
    cars = filed_household(grassroots, tree["company"], person(),
                           person("spouse", "李秀英", date(1980, 6, 2), disability="physical"))  # fmt: skip
    boss = filed_household(grassroots, tree["company"])
    for household in (on_roll, homes, cars, boss):
        consent(grassroots, household, *household.members.all())
    check = request_for(centre, tree, "dibao", "property", "vehicle", "business")
    spouse = cars.members.get(relation="spouse")
    # When the registries' results come back
    dibao = upload(centre, check, "dibao", [[head(on_roll).id_number, "低保"], ["110105194912310021", "低保"],
                                            ["not-a-number", "低保"]])  # fmt: skip
    upload(centre, check, "property", [[head(homes).id_number, "2", "180.5"], [head(on_roll).id_number, "1", "60"]])
    upload(centre, check, "vehicle", [[head(cars).id_number, "1"], [spouse.id_number, "1"]])
    with django_capture_on_commit_callbacks(execute=True):
        upload(centre, check, "business", [[head(boss).id_number, "法定代表人", "500000"],
                                           [head(homes).id_number, "普通职员", "0"]])  # fmt: skip

    # Then each household has its flag, and only that one
    def codes(household):
        return sorted(household.xcheck_flags.values_list("code", flat=True))

    assert codes(on_roll) == [FlagCode.DIBAO]
    assert codes(homes) == [FlagCode.PROPERTIES]
    assert codes(cars) == [FlagCode.VEHICLE]  # the head's car; the disabled spouse's car is exempt
    assert cars.xcheck_flags.get().finding.member_id == head(cars).pk
    assert codes(boss) == [FlagCode.BUSINESS]
    # and the unmatched and malformed rows are listed by row
    assert (dibao.rows, dibao.matched, dibao.unmatched_count, dibao.malformed_count) == (3, 1, 1, 1)
    assert dibao.unmatched == [{"row": 2}]
    assert dibao.malformed[0]["row"] == 3
    # and the household's history says what was found (written after the commit)
    event = AuditEvent.objects.get(verb="xcheck.flag", target_id=str(boss.pk))
    assert event.changes["flag"][1] == "控制企业"
    assert not AuditEvent.objects.filter(verb="xcheck.flag", target_id=str(cars.pk)).exists()  # not committed here


def test_a_pension_that_changes_the_tier_is_flagged_and_confirming_opens_a_change_request(
    tree, grassroots, centre, second_centre, standard, rules
):
    # Given a 特困 household (500 a month per person) whose head draws a pension the file does not know
    household = filed_household(grassroots, tree["company"])
    assert household.tier == Tier.EXTREME
    consent(grassroots, household, head(household))
    check = request_for(centre, tree, "social")
    upload(centre, check, "social", [[head(household).id_number, "3200", "0"]])
    flag = household.xcheck_flags.get()
    assert flag.code == FlagCode.PENSION and flag.data["tier_after"] == Tier.NONE
    # When the centre confirms it
    flag = xs.flag_confirm(actor=centre, flag_id=flag.pk, outcome="change", reason="社保核实养老金")
    # Then a change request with the new income waits for approval, and approving it re-tiers the file
    change = flag.change_request
    assert flag.status == FlagStatus.CONFIRMED and change.status == ChangeStatus.SUBMITTED
    assert change.after == {"income_pension": "38400.00"}
    change_approve(actor=second_centre, change_id=change.pk)
    household.refresh_from_db()
    assert household.tier == Tier.NONE
    assert AuditEvent.objects.filter(verb="xcheck.confirm", target_id=str(household.pk)).exists()


def test_confirming_a_flag_in_public_notice_returns_the_case_to_second_review(tree, grassroots, centre, standard,
                                                                               rules):  # fmt: skip
    household = filed_household(grassroots, tree["company"], status=Status.PUBLIC_NOTICE)
    consent(grassroots, household, head(household))
    check = xs.request_create(actor=centre, union_id=tree["city"].pk, scope=RequestScope.UNION,
                              registry_ids=[registry("dibao").pk])  # fmt: skip
    assert check.people == 0  # 公示中 is not a filed household: the 复审 scope is the one for cases in review
    Household.objects.filter(pk=household.pk).update(status=Status.SECOND_REVIEW)
    check = xs.request_create(actor=centre, union_id=tree["city"].pk, scope=RequestScope.SECOND_REVIEW,
                              registry_ids=[registry("dibao").pk])  # fmt: skip
    upload(centre, check, "dibao", [[head(household).id_number, "特困"]])
    Household.objects.filter(pk=household.pk).update(status=Status.PUBLIC_NOTICE)
    flag = household.xcheck_flags.get()
    with pytest.raises(xs.ActionRefused):
        xs.flag_confirm(actor=centre, flag_id=flag.pk, outcome="exit")
    xs.flag_confirm(actor=centre, flag_id=flag.pk, outcome="return", reason="在特困名单")
    household.refresh_from_db()
    assert household.status == Status.SECOND_REVIEW


def test_dismissing_needs_a_reason_and_puts_it_on_the_history(tree, grassroots, centre, standard, rules):
    household = filed_household(grassroots, tree["company"])
    consent(grassroots, household, head(household))
    check = request_for(centre, tree, "vehicle")
    upload(centre, check, "vehicle", [[head(household).id_number, "1"]])
    flag = household.xcheck_flags.get()
    with pytest.raises(xs.ActionRefused):
        xs.flag_dismiss(actor=centre, flag_id=flag.pk, reason=" ")
    xs.flag_dismiss(actor=centre, flag_id=flag.pk, reason="车辆登记在单位名下，为工作用车")
    event = AuditEvent.objects.get(verb="xcheck.dismiss", target_id=str(household.pk))
    assert event.changes["reason"][1] == "车辆登记在单位名下，为工作用车"


def test_grassroots_staff_cannot_decide_a_flag(tree, grassroots, centre, standard, rules):
    household = filed_household(grassroots, tree["company"])
    consent(grassroots, household, head(household))
    upload(centre, request_for(centre, tree, "vehicle"), "vehicle", [[head(household).id_number, "1"]])
    with pytest.raises(xs.ActionRefused):
        xs.flag_dismiss(actor=grassroots, flag_id=household.xcheck_flags.get().pk, reason="x")


def test_a_flagged_household_is_held_from_the_batch_until_decided(tree, grassroots, centre, standard, rules):
    from programs.assistance.batch import batch_compute
    from programs.assistance.demo import seed_programs
    from programs.assistance.models import Batch, Entitlement

    seed_programs(union=tree["city"])
    flagged = filed_household(grassroots, tree["company"])
    clean = filed_household(grassroots, tree["company"])
    consent(grassroots, flagged, head(flagged))
    upload(centre, request_for(centre, tree, "vehicle"), "vehicle", [[head(flagged).id_number, "1"]])
    # When the quarter's batch is computed
    batch = Batch.objects.create(union=tree["city"], period="2026-Q4", created_by=centre)
    batch_compute(batch_id=batch.pk)
    batch.refresh_from_db()
    # Then the flagged household is held and the summary says so
    assert Entitlement.objects.filter(household=clean).exists()
    assert not Entitlement.objects.filter(household=flagged).exists()
    held = next(r for r in batch.summary["skipped"] if "信息比对" in r["reason"])
    assert held["n"] == 1
    # and once the flag is dismissed, running again pays it — once
    xs.flag_dismiss(actor=centre, flag_id=flagged.xcheck_flags.get().pk, reason="单位车辆")
    batch_compute(batch_id=batch.pk)
    batch_compute(batch_id=batch.pk)
    assert Entitlement.objects.filter(household=flagged).count() == Entitlement.objects.filter(household=clean).count()


@pytest.mark.postgres
def test_on_postgresql_the_file_goes_in_by_copy_and_a_ragged_file_by_the_python_path(tree, grassroots, centre,
                                                                                     standard, rules):  # fmt: skip
    assert connection.vendor == "postgresql"
    household = filed_household(grassroots, tree["company"])
    consent(grassroots, household, head(household))
    check = request_for(centre, tree, "dibao")
    clean = upload(centre, check, "dibao", [[head(household).id_number, "低保"]])
    assert (clean.matched, clean.flags) == (1, 1)
    ragged = xs.results_upload(
        actor=centre, check=check, registry=registry("dibao"), name="ragged.csv", result_date=timezone.localdate(),
        data=f"身份证号,救助类别\n{head(household).id_number},低保\n1,2,3,4\n".encode(),
    )  # fmt: skip
    assert (ragged.rows, ragged.matched, ragged.malformed_count) == (2, 1, 1)
    assert ragged.malformed[0] == {"row": 2, "problem": "columns", "value": "1,2,3,4"}


def _id_ending_in_x() -> str:
    from hardship.identity import make_id_number  # noqa: PLC0415

    return next(n for n in (make_id_number("320206", date(1975, 5, 5), s) for s in range(100, 999)) if n[-1] == "X")


def test_a_number_written_with_spaces_or_a_small_x_is_matched_and_bad_cells_are_malformed(tree, grassroots, centre,
                                                                                         standard, rules):  # fmt: skip
    # Given two consented households, one head's 身份证号 ending in X
    plain = filed_household(grassroots, tree["company"])
    with_x = filed_household(grassroots, tree["company"], *head_earning("6000", [person(id_number=_id_ending_in_x())]))
    for household in (plain, with_x):
        consent(grassroots, household, head(household))
    check = request_for(centre, tree, "property")
    # When the registry writes one number with spaces around it, the other with a small x, and sends a row of
    # ours whose count is not a number, and one of nobody
    result = upload(centre, check, "property", [
        [f"  {head(plain).id_number} ", "2", "180.5"],
        [head(with_x).id_number.lower(), "3", "200"],
        [head(plain).id_number, "两套", "80"],
        ["110105194912310021", "1", "50"],
    ])  # fmt: skip
    # Then both numbers are matched, the bad count is malformed (not a finding), the stranger unmatched
    assert (result.rows, result.matched, result.malformed_count, result.unmatched_count) == (4, 2, 1, 1)
    assert {f.household_id for f in result.findings.all()} == {plain.pk, with_x.pk}
    assert [e["row"] for e in result.malformed] == [3] and result.unmatched == [{"row": 4}]


def test_the_unmatched_rows_listed_are_the_first_ones_of_the_file_by_line(tree, grassroots, centre, standard, rules):
    household = filed_household(grassroots, tree["company"])
    consent(grassroots, household, head(household))
    check = request_for(centre, tree, "dibao")
    strangers = [[make_stranger(n), "低保"] for n in range(1, 260)]
    # A ragged row and blank lines send the file down the Python path, whose rows keep their line numbers
    body = "身份证号,救助类别\n\n" + f"{head(household).id_number},低保\n1,2,3\n\n"
    body += "".join(f"{i},{r}\n" for i, r in strangers)

    result = xs.results_upload(actor=centre, check=check, registry=registry("dibao"), name="roll.csv",
                               result_date=timezone.localdate(), data=body.encode())  # fmt: skip

    assert (result.rows, result.matched, result.malformed_count, result.unmatched_count) == (261, 1, 1, 259)
    assert [e["row"] for e in result.unmatched][:3] == [5, 6, 7]
    assert len(result.unmatched) == 200 and result.unmatched[-1] == {"row": 204}


def make_stranger(n: int) -> str:
    from hardship.identity import make_id_number  # noqa: PLC0415

    return make_id_number("110105", date(1950, 1, 1) + timedelta(days=n), 100 + n)
