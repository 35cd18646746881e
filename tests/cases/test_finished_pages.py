"""Finished pages: the print sheet's opinions and dates, the 身份证号 checked as it is left, the visit form's
companions, and a refusal said once next to what it concerns."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Household, Step
from cases.review import services as svc
from cases.services import household_create
from hardship.models import Role
from tests.factories import SocialOrganisationFactory, user_with_role

from .conftest import household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree, standard, grassroots):
    org = SocialOrganisationFactory(name="益家社工", contracted_by=tree["city"])
    return {
        "grassroots": grassroots,
        "street": user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"], full_name="徐卫民"),
        "caseworker": user_with_role(Role.CASEWORKER, tree["yanqiao"], full_name="陈建国"),
        "centre": user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="周敏"),
        "reviewer": user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org, full_name="刘思雨"),
        "observer": user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"], full_name="吴静"),
        "org": org,
    }


def _visit(actor, household, step):
    visit = svc.VisitInput(visited_on=timezone.localdate(), living_conditions="两室", findings="属实")
    svc.visit_record(actor=actor, household_id=household.pk, step=step, visit=visit)


def _filed(tree, p) -> Household:
    household = household_create(actor=p["grassroots"], union=tree["company"], data=household_data(),
                                 members=[person()])  # fmt: skip
    svc.household_submit(actor=p["grassroots"], household_id=household.pk)
    _visit(p["street"], household, Step.FIRST)
    svc.first_review_decide(actor=p["street"], household_id=household.pk, decision="approve", text="初审属实同意")
    svc.second_review_assign(actor=p["centre"], household_id=household.pk, organisation=p["org"])
    _visit(p["reviewer"], household, Step.SECOND)
    svc.second_review_decide(actor=p["reviewer"], household_id=household.pk, decision="approve", text="复审属实")
    Household.objects.filter(pk=household.pk).update(notice_end=timezone.localdate() - timedelta(days=1))
    return svc.household_file(actor=p["centre"], household_id=household.pk)


def test_the_print_sheet_carries_each_levels_opinion_the_notice_and_filing_dates(client, tree, people):
    household = _filed(tree, people)
    client.force_login(people["centre"])

    body = client.get(reverse("cases:household_print", args=[household.pk])).content.decode()

    opinions = body[body.index('data-testid="print-opinions"') :]
    for text in ("初审属实同意", "徐卫民", "复审属实", "刘思雨", "周敏"):
        assert text in opinions
    assert household.file_number and household.file_number in body
    assert f"{household.notice_start:%Y-%m-%d} — {household.notice_end:%Y-%m-%d}" in body
    assert f'data-testid="print-filed-at">{household.filed_at:%Y-%m-%d}<' in body


def test_the_id_number_is_checked_with_the_servers_rule_and_words(client, grassroots):
    client.force_login(grassroots)
    url = reverse("hardship:id_number_check")

    wrong = client.post(url, {"id_number": "110105194912310021"}).json()
    right = client.post(url, {"id_number": "11010519491231002x"}).json()

    assert wrong == {"ok": False, "message": "身份证号校验位错误（最后一位应为 X），请核对号码。"}
    assert right == {"ok": True, "birth_date": "1949-12-31", "sex": "女"}
    assert client.get(url, {"id_number": "11010519491231002X"}).status_code == 405  # never in a query string


def test_the_household_form_asks_for_the_check_from_a_static_script(client, grassroots):
    client.force_login(grassroots)

    body = client.get(reverse("cases:household_create")).content.decode()

    assert 'data-id-check-url="/id-number/check/"' in body and "data-id-check" in body
    assert "/static/js/id_check.js" in body
    assert "<script>" not in body  # CSP: no inline script


def test_the_first_visit_of_a_one_staff_union_offers_the_street_staff_and_the_observer(client, tree, people):
    household = household_create(actor=people["grassroots"], union=tree["company"], data=household_data(),
                                 members=[person()])  # fmt: skip
    svc.household_submit(actor=people["grassroots"], household_id=household.pk)
    client.force_login(people["caseworker"])

    form = client.get(reverse("cases:visit_create", args=[household.pk, "first"])).context["form"]

    colleagues = {u.display_name for u in form.fields["visitors"].queryset}
    assert {"徐卫民", "周敏", "刘思雨"} <= colleagues and "王丽华" not in colleagues  # not the submitter
    assert {u.display_name for u in form.fields["observer"].queryset} == {"吴静"}


def test_a_refused_decision_is_said_once_at_the_decision(client, tree, people):
    household = household_create(actor=people["grassroots"], union=tree["company"], data=household_data(),
                                 members=[person()])  # fmt: skip
    svc.household_submit(actor=people["grassroots"], household_id=household.pk)
    _visit(people["caseworker"], household, Step.FIRST)
    client.force_login(people["street"])
    Household.objects.filter(pk=household.pk).update(submitted_at=timezone.now() + timedelta(minutes=5))

    # The visit predates the submission: 通过 is greyed out with the reason; posted anyway, refused once.
    response = client.post(reverse("cases:review_action", args=[household.pk, "first_review"]),
                           {"decision": "approve", "text": ""})  # fmt: skip

    body = response.content.decode()
    assert body.count("前必须先记录本环节的入户走访") == 1
    assert 'data-testid="refusal"' not in body


def test_a_refused_confirmation_is_said_once_next_to_the_button(client, tree, people):
    household = _filed(tree, people)
    Household.objects.filter(pk=household.pk).update(status="public_notice", notice_end=timezone.localdate())
    client.force_login(people["centre"])

    response = client.post(reverse("cases:review_action", args=[household.pk, "file"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("公示结束后才能建档") == 1
    assert 'data-testid="refusal-message"' in body


def test_a_filed_file_in_english_puts_together_its_sentences_with_english_punctuation(client, tree, people):
    household = _filed(tree, people)
    client.force_login(people["centre"])

    page = client.get(reverse("cases:household_detail", args=[household.pk]), HTTP_ACCEPT_LANGUAGE="en")

    main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Per-capita monthly income =" in main
    assert "：" not in main and "。" not in main  # "Based on the standard …: dibao …", "… yuan."


FULL_WIDTH = "（）：；"


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _at_first_review(tree, p) -> Household:
    household = household_create(actor=p["grassroots"], union=tree["company"], data=household_data(),
                                 members=[person()])  # fmt: skip
    svc.household_submit(actor=p["grassroots"], household_id=household.pk)
    visit = svc.VisitInput(visited_on=timezone.localdate(), living_conditions="两室", findings="属实",
                           address_confirmed=True)  # fmt: skip
    svc.visit_record(actor=p["street"], household_id=household.pk, step=Step.FIRST, visit=visit)
    return Household.objects.get(pk=household.pk)


def test_a_file_at_first_review_in_english_has_no_chinese_punctuation_of_its_own(client, tree, people):
    # The data (names, unions, the visit's words) has none: any left is the page's.
    household = _at_first_review(tree, people)
    client.force_login(people["street"])

    main = _main(client.get(reverse("cases:household_detail", args=[household.pk]), HTTP_ACCEPT_LANGUAGE="en"))

    assert not [c for c in FULL_WIDTH if c in main]
    assert "Address matches the file" not in main  # the visit's own line, not the form's label
    words = re.sub(r"<[^>]+>", "", main)
    assert "Visit findings: 属实" in words and "First review (visit due" in words


def test_the_first_review_page_in_english_says_confirm_and_the_action_apart(client, tree, people):
    household = _at_first_review(tree, people)
    client.force_login(people["street"])
    url = reverse("cases:review_action", args=[household.pk, "first_review"])

    english = _main(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    chinese = _main(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert "Confirm: First review" in english and "Visit findings: 属实" in english
    assert not [c for c in FULL_WIDTH if c in english]
    assert "确认初审" in chinese and "走访结论：属实" in chinese and "住址属实；两室" in chinese


def test_the_household_list_and_the_review_queue_label_every_cell_for_the_phone(client, tree, people):
    household = _at_first_review(tree, people)
    client.force_login(people["street"])

    for url in (reverse("cases:household_list"), reverse("cases:review_queue")):
        page = client.get(url).content.decode()
        table = page[page.index("<table") : page.index("</table>")]
        cells = re.findall(r"<td\b[^>]*>", table)
        assert "table-stack" in table.split(">", 1)[0], url
        assert household.head_name in table and cells and all("data-label=" in td for td in cells), url
