"""A third-party reviewer sees the cases assigned to its organisation, while assigned — nothing else.

Its role sits at the city union (where the organisation is contracted), yet its lists, search,
counts, export, API, file page, print sheet, unmask, attachments and visit forms show only the
files at 复审 with its organisation; once the 复审 is given or the case goes elsewhere, the file is a 404.
"""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Household, Status, Step
from cases.review import services as svc
from cases.selectors import household_list
from cases.services import attachment_add, household_create
from hardship.models import AuditEvent, Role
from hardship.services import role_assign
from tests.factories import SocialOrganisationFactory, user_with_role

from .conftest import household_data, person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def org(tree):
    return SocialOrganisationFactory(name="益家社工", contracted_by=tree["city"])


@pytest.fixture
def reviewer(tree, org):
    return user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org, full_name="复审人")


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心")


def _household(actor, union, head: str, phone: str, **review) -> Household:
    household = household_create(actor=actor, union=union, data=household_data(phone=phone),
                                 members=[person(name=head)])  # fmt: skip
    if review:
        Household.objects.filter(pk=household.pk).update(**review)
        household.refresh_from_db()
    return household


@pytest.fixture
def files(tree, standard, grassroots, org):
    """One case assigned to the reviewer's organisation, and three in the same unions that are not (now)."""
    other = SocialOrganisationFactory(name="别家社工", contracted_by=tree["city"])
    return {
        "assigned": _household(grassroots, tree["company"], "欧阳派单", "13905100011",
                               status=Status.SECOND_REVIEW, second_review_org=org),
        "unassigned": _household(grassroots, tree["company"], "欧阳未派", "13905100012", status=Status.FILED),
        "elsewhere": _household(grassroots, tree["company"], "欧阳别家", "13905100013",
                                status=Status.SECOND_REVIEW, second_review_org=other),
        "given": _household(grassroots, tree["company"], "欧阳已审", "13905100014",
                             status=Status.PUBLIC_NOTICE, second_review_org=org),
    }  # fmt: skip


def _heads(households) -> set[str]:
    return {h.head_name for h in households}


def _sheet_heads(response) -> set[str]:
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_list_and_its_count_show_only_the_case_assigned_to_the_reviewers_organisation(client, files, reviewer):
    client.force_login(reviewer)

    page = client.get(reverse("cases:household_list")).context["page"]

    assert _heads(page.object_list) == {"欧阳派单"}
    assert page.paginator.count == 1


def test_search_finds_no_unassigned_file_by_name_phone_or_id_number(client, files, reviewer):
    client.force_login(reviewer)
    unassigned = files["unassigned"]

    def found(q):
        return _heads(client.get(reverse("cases:household_list"), {"q": q}).context["page"].object_list)

    assert found("欧阳") == {"欧阳派单"}
    assert found(unassigned.phone) == set()
    assert found(unassigned.head_id_number) == set()
    assert found(files["assigned"].head_id_number) == {"欧阳派单"}


def test_the_export_holds_only_the_assigned_case(client, files, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("cases:household_export"))

    assert _sheet_heads(response) == {"欧阳派单"}
    event = AuditEvent.objects.get(verb="household.export", actor=reviewer)
    assert event.changes["rows"] == [None, 1]


def test_the_api_lists_only_the_assigned_case_and_404s_the_others(files, reviewer):
    api = _api(reviewer)

    body = api.get("/api/households/").json()

    assert body["count"] == 1 and [row["id"] for row in body["results"]] == [files["assigned"].pk]
    assert api.get(f"/api/households/{files['assigned'].pk}/").status_code == 200
    for name in ("unassigned", "elsewhere", "given"):
        assert api.get(f"/api/households/{files[name].pk}/").status_code == 404
        assert api.get(f"/api/households/{files[name].pk}/payments/").status_code == 404


def test_the_assigned_case_opens_prints_unmasks_and_takes_the_second_review_forms(client, files, reviewer):
    client.force_login(reviewer)
    pk = files["assigned"].pk

    assert client.get(reverse("cases:household_detail", args=[pk])).status_code == 200
    assert "欧阳派单" in client.get(reverse("cases:household_print", args=[pk])).content.decode()
    clear = client.post(reverse("cases:household_unmask", args=[pk]))
    assert clear.status_code == 200 and files["assigned"].head_id_number in clear.content.decode()
    assert client.get(reverse("cases:visit_create", args=[pk, Step.SECOND])).status_code == 200
    assert client.get(reverse("cases:review_action", args=[pk, "second_review"])).status_code == 200


@pytest.mark.parametrize("name", ["unassigned", "elsewhere", "given"])
def test_a_file_not_assigned_now_is_a_404_on_every_page(client, files, reviewer, grassroots, name):
    household = files[name]
    attachment = attachment_add(actor=grassroots, household=household, kind="income_proof",
                                upload=SimpleUploadedFile("证明.pdf", PDF))  # fmt: skip
    client.force_login(reviewer)
    pk = household.pk

    assert client.get(reverse("cases:household_detail", args=[pk])).status_code == 404
    assert client.get(reverse("cases:household_print", args=[pk])).status_code == 404
    assert client.post(reverse("cases:household_unmask", args=[pk])).status_code == 404
    assert client.get(reverse("cases:attachment_download", args=[pk, attachment.pk])).status_code == 404
    assert client.get(reverse("cases:visit_create", args=[pk, Step.SECOND])).status_code == 404
    assert client.get(reverse("cases:review_action", args=[pk, "second_review"])).status_code == 404
    assert client.get(reverse("cases:support_detail", args=[pk])).status_code == 404
    assert not AuditEvent.objects.filter(verb="household.unmask", actor=reviewer).exists()


def test_the_notice_list_does_not_show_a_case_whose_review_the_organisation_gave(client, files, reviewer, centre):
    client.force_login(reviewer)
    assert list(client.get(reverse("cases:notice_list")).context["page"].object_list) == []

    client.force_login(centre)
    assert _heads(client.get(reverse("cases:notice_list")).context["page"].object_list) == {"欧阳已审"}


def test_once_the_second_review_is_given_the_file_is_a_404_and_the_reviewer_is_sent_to_the_queue(
    client, files, reviewer
):
    pk = files["assigned"].pk
    visit = svc.VisitInput(visited_on=timezone.localdate(), living_conditions="与初审一致", findings="属实")
    svc.visit_record(actor=reviewer, household_id=pk, step=Step.SECOND, visit=visit)
    client.force_login(reviewer)

    response = client.post(reverse("cases:review_action", args=[pk, "second_review"]),
                           {"decision": "approve", "text": "同意公示"})  # fmt: skip

    assert Household.objects.get(pk=pk).status == Status.PUBLIC_NOTICE
    assert response.status_code == 302 and response["Location"] == reverse("cases:review_queue")
    assert client.get(reverse("cases:household_detail", args=[pk])).status_code == 404
    assert _heads(client.get(reverse("cases:household_list")).context["page"].object_list) == set()


def test_a_case_handed_to_another_organisation_leaves_the_first_until_handed_back(files, reviewer, centre, tree):
    other = SocialOrganisationFactory(name="另一家社工", contracted_by=tree["city"])
    pk = files["assigned"].pk

    svc.second_review_assign(actor=centre, household_id=pk, organisation=other)
    assert _heads(household_list(user=reviewer)) == set()

    svc.second_review_assign(actor=centre, household_id=pk, organisation=files["assigned"].second_review_org)
    assert _heads(household_list(user=reviewer)) == {"欧阳派单"}


def test_an_objection_in_the_notice_brings_the_case_and_its_file_back_to_the_organisation(files, reviewer, centre):
    pk = files["given"].pk
    assert _heads(household_list(user=reviewer)) == {"欧阳派单"}

    svc.notice_objection(actor=centre, household_id=pk, text="群众反映家中有经营收入")

    assert _heads(household_list(user=reviewer)) == {"欧阳派单", "欧阳已审"}


def test_another_role_of_the_same_user_keeps_what_it_gives(client, files, reviewer, tree):
    role_assign(actor=None, user=reviewer, union=tree["yanqiao"], role=Role.DISCIPLINE_OBSERVER)
    client.force_login(reviewer)

    page = client.get(reverse("cases:household_list")).context["page"]

    assert _heads(page.object_list) == {"欧阳派单", "欧阳未派", "欧阳别家", "欧阳已审"}
    assert client.get(reverse("cases:household_detail", args=[files["unassigned"].pk])).status_code == 200


def test_a_reviewer_sees_only_its_own_unions_assigned_cases(files, org, tree, standard, grassroots):
    # The same organisation's reviewer held at 滨湖 does not see a 惠山 case assigned to it.
    binhu_reviewer = user_with_role(Role.THIRD_PARTY_REVIEWER, tree["binhu"], organisation=org)

    assert _heads(household_list(user=binhu_reviewer)) == set()
