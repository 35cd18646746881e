"""Help beyond cash on a file: non-cash help, 互助保障, and the 创业贷 interest subsidy."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    BenchmarkRate,
    Member,
    MutualCoverClaim,
    MutualCoverEnrolment,
    MutualCoverPlan,
    NonCashHelp,
    StartupLoan,
)
from cases.services import household_create
from cases.support import services
from cases.support.subsidy import loan_subsidy
from hardship.models import AuditEvent
from tests.cases.conftest import household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(tree, standard, grassroots):
    return household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())


def test_a_150000_loan_at_435_gets_10875_over_two_years():
    subsidy = loan_subsidy(amount=Decimal("150000"), rate_percent=Decimal("4.35"))

    assert [s.amount for s in subsidy.steps] == [Decimal("8700.00"), Decimal("2175.00")]
    assert subsidy.total == Decimal("10875.00")


def test_a_loan_of_exactly_100000_is_subsidised_in_full_in_one_step():
    subsidy = loan_subsidy(amount=Decimal("100000"), rate_percent=Decimal("4.35"))

    assert len(subsidy.steps) == 1
    assert subsidy.total == Decimal("8700.00")


def test_a_loan_above_300000_is_refused(household, grassroots):
    with pytest.raises(ValidationError):
        services.loan_record(actor=grassroots, household=household, amount=Decimal("300000.01"),
                             start_date=date(2026, 3, 1))  # fmt: skip
    assert not StartupLoan.objects.exists()


def test_the_database_refuses_a_loan_above_300000_too(household, grassroots):
    with pytest.raises(IntegrityError), transaction.atomic():
        StartupLoan.objects.create(household=household, amount=Decimal("300001"), start_date=date(2026, 3, 1),
                                   recorded_by=grassroots)  # fmt: skip


def test_the_support_page_shows_the_subsidy_step_by_step(client, household, grassroots):
    BenchmarkRate.objects.create(effective_from=date(2015, 10, 24), rate_percent=Decimal("4.35"))
    services.loan_record(actor=grassroots, household=household, amount=Decimal("150000"), start_date=date(2026, 3, 1))
    client.force_login(grassroots)

    response = client.get(reverse("cases:support_detail", args=[household.pk]))

    text = response.content.decode()
    assert "100000.00 × 4.35% × 2" in text and "= 8700.00" in text
    assert "50000.00 × 4.35% × 50% × 2" in text and "= 2175.00" in text
    assert "10875.00" in text


def test_help_recorded_on_the_file_shows_in_its_timeline_and_is_audited(client, household, grassroots):
    client.force_login(grassroots)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]),
        {"kind": "mentoring", "given_on": "2026-05-04", "mentor_name": "劳模陈建国", "note": "一对一结对"},
    )

    assert response.status_code == 302
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "结对帮扶" in page and "劳模陈建国" in page
    assert AuditEvent.objects.filter(verb="support.help", target_id=str(household.pk)).count() == 1


def test_goods_help_keeps_its_value(household, grassroots):
    help_ = services.help_record(actor=grassroots, household=household, kind="goods", given_on=date(2026, 1, 20),
                                 goods_value=Decimal("300.00"))  # fmt: skip

    assert help_.goods_value == Decimal("300.00")


def test_mentoring_without_a_mentor_is_refused(household, grassroots):
    with pytest.raises(ValidationError):
        services.help_record(actor=grassroots, household=household, kind="mentoring", given_on=date(2026, 1, 20))


def test_an_observer_cannot_add_help(client, household, observer):
    client.force_login(observer)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]), {"kind": "training", "given_on": "2026-05-04"}
    )

    assert response.status_code == 403
    assert not NonCashHelp.objects.exists()


def test_an_observer_does_not_see_the_help_form(client, household, observer):
    client.force_login(observer)

    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()

    assert 'data-testid="help-form"' not in page


def test_the_help_form_is_in_the_language_of_each_page(client, household, grassroots):
    # The empty form is rendered once per language and kept: a page in English after one in Chinese.
    client.force_login(grassroots)
    url = reverse("cases:household_detail", args=[household.pk])

    chinese = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()

    assert 'data-testid="help-form"' in chinese and "帮扶方式" in chinese
    assert 'data-testid="help-form"' in english and "Type of help" in english and "帮扶方式" not in english


def test_staff_of_another_district_cannot_add_help(client, household, out_of_scope_user):
    client.force_login(out_of_scope_user)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]), {"kind": "training", "given_on": "2026-05-04"}
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.help_record(actor=out_of_scope_user, household=household, kind="training", given_on=date(2026, 5, 4))
    assert not NonCashHelp.objects.exists()


# ---- 互助保障: enrolment and claims ------------------------------------------------------------

LAST_YEAR = timezone.localdate().year - 1
PLAN = "在职职工住院医疗互助保障计划"


@pytest.fixture
def family(tree, standard, grassroots):
    """A household of three: 户主, spouse and a child."""
    members = [person(), person("spouse", "李秀英", date(1980, 6, 1)),
               person("child", "蒋小明", date(2012, 9, 1), "student")]  # fmt: skip
    return household_create(actor=grassroots, union=tree["company"], members=members, data=household_data())


@pytest.fixture
def plan(db):
    return MutualCoverPlan.objects.create(name=PLAN)


def _member(household, name):
    return household.members.get(name=name)


def _enrol(actor, household, plan, year, *names):
    members = [_member(household, n) for n in names]
    return services.mutual_cover_enrol(actor=actor, household=household, members=members, plan=plan, year=year)


def _claim(actor, member, plan, **overrides):
    data = {"year": LAST_YEAR, "treated_on": date(LAST_YEAR, 3, 2), "hospital": "无锡市人民医院",
            "illness": "腰椎间盘突出住院", "amount": Decimal("2000.00"), "paid_on": date(LAST_YEAR, 4, 10)}  # fmt: skip
    data.update(overrides)
    return services.mutual_cover_claim(actor=actor, member=member, plan=plan, **data)


def _claim_post(member, plan, **overrides):
    data = {"member": member.pk, "plan": plan.pk, "year": LAST_YEAR, "treated_on": f"{LAST_YEAR}-03-02",
            "hospital": "无锡市人民医院", "illness": "腰椎间盘突出住院", "amount": "2000.00",
            "paid_on": f"{LAST_YEAR}-04-10", "note": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_staff_enrol_two_members_for_a_year_and_the_file_shows_them(client, family, plan, grassroots):
    client.force_login(grassroots)
    members = [_member(family, "蒋建华"), _member(family, "李秀英")]

    response = client.post(reverse("cases:cover_enrol", args=[family.pk]),
                           {"members": [m.pk for m in members], "plan": plan.pk, "year": LAST_YEAR})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"].endswith("#mutual-cover")
    assert MutualCoverEnrolment.objects.filter(plan=plan, year=LAST_YEAR).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert f"{LAST_YEAR}</span> · {PLAN} · 蒋建华" in page and f"{LAST_YEAR}</span> · {PLAN} · 李秀英" in page
    assert "蒋小明" not in page.split('id="mutual-cover"')[1].split("</ul>")[0]
    assert "办理互助保障参保" in page  # the history says what happened, in words


def test_enrolment_is_audited_on_the_file(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华", "蒋小明")

    event = AuditEvent.objects.get(verb="support.cover", target_id=str(family.pk))
    assert event.actor == grassroots
    assert event.changes["cover"][1] == f"{LAST_YEAR} {PLAN}：蒋建华、蒋小明"


def test_a_member_cannot_be_enrolled_twice_in_the_same_plan_and_year(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    with pytest.raises(ValidationError) as refused:
        _enrol(grassroots, family, plan, LAST_YEAR, "李秀英", "蒋建华")

    assert "蒋建华 已参加" in " ".join(refused.value.messages)
    # All or nothing: the spouse was not enrolled either.
    assert MutualCoverEnrolment.objects.filter(plan=plan, year=LAST_YEAR).count() == 1
    assert AuditEvent.objects.filter(verb="support.cover").count() == 1


def test_the_same_member_may_be_enrolled_again_the_next_year(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    _enrol(grassroots, family, plan, LAST_YEAR + 1, "蒋建华")

    assert MutualCoverEnrolment.objects.filter(plan=plan).count() == 2


def test_the_enrol_form_shows_the_refusal_in_chinese(client, family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    client.force_login(grassroots)

    response = client.post(reverse("cases:cover_enrol", args=[family.pk]),
                           {"members": [_member(family, "蒋建华").pk], "plan": plan.pk, "year": LAST_YEAR})  # fmt: skip

    assert response.status_code == 200
    assert f"蒋建华 已参加 {LAST_YEAR} 年度“{PLAN}”，不能重复参保。" in response.content.decode()
    assert MutualCoverEnrolment.objects.count() == 1


def test_the_database_refuses_a_duplicate_enrolment_too(family, plan, grassroots):
    member = _member(family, "蒋建华")
    MutualCoverEnrolment.objects.create(member=member, plan=plan, year=LAST_YEAR, enrolled_by=grassroots)

    with pytest.raises(IntegrityError), transaction.atomic():
        MutualCoverEnrolment.objects.create(member=member, plan=plan, year=LAST_YEAR, enrolled_by=grassroots)


def test_a_cover_year_far_from_today_is_refused(family, plan, grassroots):
    with pytest.raises(ValidationError) as refused:
        _enrol(grassroots, family, plan, LAST_YEAR + 3, "蒋建华")

    assert "参保年度须在" in " ".join(refused.value.messages)
    assert not MutualCoverEnrolment.objects.exists()


def test_a_member_of_another_file_cannot_be_enrolled_through_this_one(tree, family, plan, grassroots):
    other = household_create(actor=grassroots, union=tree["company"], data=household_data(),
                             members=[person(name="周国强", birth=date(1975, 1, 5))])  # fmt: skip

    with pytest.raises(ValidationError):
        services.mutual_cover_enrol(actor=grassroots, household=family, members=[other.members.get()], plan=plan,
                                    year=LAST_YEAR)  # fmt: skip
    assert not MutualCoverEnrolment.objects.exists()


def test_a_claim_within_the_cover_year_is_recorded_on_the_enrolment_and_audited(client, family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    member = _member(family, "蒋建华")
    client.force_login(grassroots)

    response = client.post(reverse("cases:cover_claim", args=[family.pk]), _claim_post(member, plan))

    assert response.status_code == 302
    claim = MutualCoverClaim.objects.get()
    assert claim.enrolment.member == member and claim.enrolment.year == LAST_YEAR
    assert claim.amount == Decimal("2000.00") and claim.hospital == "无锡市人民医院"
    assert claim.recorded_by == grassroots
    event = AuditEvent.objects.get(verb="support.claim", target_id=str(family.pk))
    assert "2000.00" in event.changes["claim"][1]
    assert "腰椎" not in str(event.changes)  # the illness is health data: kept out of the audit log
    file_page = client.get(reverse("cases:household_detail", args=[family.pk])).content.decode()
    assert "赔付 1 笔，合计 2000.00 元" in file_page
    support_page = client.get(reverse("cases:support_detail", args=[family.pk])).content.decode()
    assert f"{LAST_YEAR}-03-02 · 无锡市人民医院 · 腰椎间盘突出住院" in support_page


def test_a_claim_is_recorded_for_an_enrolled_member_removed_from_the_file_since(client, family, plan, grassroots):
    # 李秀英 was enrolled, was in hospital, and has left the file since (a death, a move out): the
    # claim is still paid. 蒋小明, removed too but never enrolled, is not offered.
    _enrol(grassroots, family, plan, LAST_YEAR, "李秀英")
    spouse, child = _member(family, "李秀英"), _member(family, "蒋小明")
    Member.objects.filter(pk__in=[spouse.pk, child.pk]).update(removed=True)
    client.force_login(grassroots)

    refused = client.post(reverse("cases:cover_claim", args=[family.pk]), _claim_post(child, plan))
    response = client.post(reverse("cases:cover_claim", args=[family.pk]), _claim_post(spouse, plan))

    assert refused.status_code == 200 and "所选成员不在本档案中" in refused.content.decode()
    assert response.status_code == 302
    assert MutualCoverClaim.objects.get().enrolment.member == spouse


def test_a_december_stay_may_be_paid_in_january(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR - 1, "蒋建华")

    claim = _claim(grassroots, _member(family, "蒋建华"), plan, year=LAST_YEAR - 1,
                   treated_on=date(LAST_YEAR - 1, 12, 28), paid_on=date(LAST_YEAR, 1, 15))  # fmt: skip

    assert claim.enrolment.year == LAST_YEAR - 1


def test_a_claim_for_a_stay_outside_the_cover_year_is_refused(client, family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    member = _member(family, "蒋建华")
    client.force_login(grassroots)

    response = client.post(reverse("cases:cover_claim", args=[family.pk]),
                           _claim_post(member, plan, treated_on=f"{LAST_YEAR - 1}-12-30"))  # fmt: skip

    assert response.status_code == 200
    assert f"住院/就诊日期不在 {LAST_YEAR} 年度保障期内" in response.content.decode()
    assert not MutualCoverClaim.objects.exists()
    assert not AuditEvent.objects.filter(verb="support.claim").exists()


def test_a_claim_for_an_unenrolled_member_is_refused(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    with pytest.raises(ValidationError) as refused:
        _claim(grassroots, _member(family, "李秀英"), plan)

    assert f"李秀英 未参加 {LAST_YEAR} 年度“{PLAN}”，不能登记赔付。" in refused.value.messages
    assert not MutualCoverClaim.objects.exists()


def test_a_claim_under_another_years_enrolment_is_refused(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR - 1, "蒋建华")

    with pytest.raises(ValidationError):
        _claim(grassroots, _member(family, "蒋建华"), plan, year=LAST_YEAR)
    assert not MutualCoverClaim.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "100000.01"])
def test_a_claim_amount_must_be_above_zero_and_within_the_cap(family, plan, grassroots, amount):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    with pytest.raises(ValidationError) as refused:
        _claim(grassroots, _member(family, "蒋建华"), plan, amount=Decimal(amount))

    assert "赔付金额须大于 0 且不超过 100,000 元。" in refused.value.messages
    assert not MutualCoverClaim.objects.exists()


def test_the_claim_form_refuses_an_amount_above_the_cap_in_chinese(client, family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    client.force_login(grassroots)

    response = client.post(reverse("cases:cover_claim", args=[family.pk]),
                           _claim_post(_member(family, "蒋建华"), plan, amount="1000000"))  # fmt: skip

    assert "赔付金额不能超过 100,000 元。" in response.content.decode()
    assert not MutualCoverClaim.objects.exists()


def test_the_database_refuses_a_claim_above_the_cap(family, plan, grassroots):
    (enrolment,) = _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    with pytest.raises(IntegrityError), transaction.atomic():
        MutualCoverClaim.objects.create(enrolment=enrolment, treated_on=date(LAST_YEAR, 3, 2), hospital="医院",
                                        illness="病", amount=Decimal("100000.01"), paid_on=date(LAST_YEAR, 4, 1),
                                        recorded_by=grassroots)  # fmt: skip


def test_a_claim_paid_before_the_stay_is_refused(family, plan, grassroots):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    with pytest.raises(ValidationError) as refused:
        _claim(grassroots, _member(family, "蒋建华"), plan, paid_on=date(LAST_YEAR, 3, 1))

    assert "赔付日期不能早于住院/就诊日期。" in refused.value.messages


def test_staff_of_another_district_get_404_on_the_cover_forms(client, family, plan, grassroots, out_of_scope_user):
    (enrolment,) = _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    member = _member(family, "蒋建华")
    client.force_login(out_of_scope_user)

    for name in ("cover_enrol", "cover_claim"):
        assert client.get(reverse(f"cases:{name}", args=[family.pk])).status_code == 404
    enrol = client.post(reverse("cases:cover_enrol", args=[family.pk]),
                        {"members": [_member(family, "李秀英").pk], "plan": plan.pk, "year": LAST_YEAR})  # fmt: skip
    claim = client.post(reverse("cases:cover_claim", args=[family.pk]), _claim_post(member, plan))

    assert enrol.status_code == claim.status_code == 404
    with pytest.raises(PermissionDenied):
        _claim(out_of_scope_user, member, plan)
    with pytest.raises(PermissionDenied):
        _enrol(out_of_scope_user, family, plan, LAST_YEAR, "李秀英")
    assert MutualCoverEnrolment.objects.count() == 1 and not MutualCoverClaim.objects.exists()


def test_an_observer_reads_the_cover_but_cannot_record_it(client, family, plan, grassroots, observer):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")
    client.force_login(observer)

    page = client.get(reverse("cases:household_detail", args=[family.pk])).content.decode()
    response = client.post(reverse("cases:cover_claim", args=[family.pk]),
                           _claim_post(_member(family, "蒋建华"), plan))  # fmt: skip

    assert f"{PLAN} · 蒋建华" in page
    assert 'data-testid="cover-enrol-link"' not in page
    assert response.status_code == 403
    assert not MutualCoverClaim.objects.exists()


def test_centre_staff_above_the_file_may_record_a_claim(family, plan, grassroots, in_scope_user):
    _enrol(grassroots, family, plan, LAST_YEAR, "蒋建华")

    claim = _claim(in_scope_user, _member(family, "蒋建华"), plan)

    assert claim.recorded_by == in_scope_user


def test_a_file_without_cover_says_so_and_offers_only_enrolment(client, family, grassroots):
    client.force_login(grassroots)

    page = client.get(reverse("cases:household_detail", args=[family.pk])).content.decode()
    claim_form = client.get(reverse("cases:cover_claim", args=[family.pk])).content.decode()
    enrol_form = client.get(reverse("cases:cover_enrol", args=[family.pk])).content.decode()

    assert 'data-testid="mutual-cover-empty"' in page
    assert 'data-testid="cover-enrol-link"' in page and 'data-testid="cover-claim-link"' not in page
    assert "请先办理参保" in claim_form and 'data-testid="cover-form"' not in claim_form
    assert "尚未设置互助保障计划" in enrol_form  # no plan set up yet: nothing to enrol in


def test_the_cover_forms_have_a_confirm_and_a_back_button(client, family, plan, grassroots):
    client.force_login(grassroots)

    page = client.get(reverse("cases:cover_enrol", args=[family.pk])).content.decode()

    assert "确认参保" in page
    assert f'href="{reverse("cases:household_detail", args=[family.pk])}#mutual-cover"' in page
    assert "蒋建华 · 本人（户主）" in page and "李秀英 · 配偶" in page


def test_the_file_page_stays_within_its_query_budget_with_cover(client, family, plan, grassroots,
                                                               django_assert_max_num_queries):  # fmt: skip
    second = MutualCoverPlan.objects.create(name="职工重大疾病互助保障计划")
    for p in (plan, second):
        _enrol(grassroots, family, p, LAST_YEAR, "蒋建华", "李秀英", "蒋小明")
        for name in ("蒋建华", "李秀英"):
            _claim(grassroots, _member(family, name), p)
    client.force_login(grassroots)
    url = reverse("cases:household_detail", args=[family.pk])
    client.get(url)  # the session's first page pushes its expiry (then once a minute)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert len(response.context["mutual_cover"]) == 6
    assert "赔付 1 笔，合计 2000.00 元" in response.content.decode()


def test_the_demo_has_a_loan_benchmark_rate_so_a_startup_loan_subsidy_works_at_once(db):
    import io

    from django.core.management import call_command

    from cases.support.models import BenchmarkRate

    call_command("seed_demo", stdout=io.StringIO())

    in_force = BenchmarkRate.objects.filter(effective_from__lte=date.today()).order_by("-effective_from").first()
    assert in_force is not None and in_force.rate_percent == Decimal("3.00")
