"""网上申请: a worker applies from a phone, the union's only 干事 gives the 初审, returns it, the worker fixes
and resubmits; the status page says where it is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Household, Opinion, Source, Status, Step
from cases.review import services as review
from cases.review.workflow import review_workflow
from family.models import WorkerAccount
from hardship.workflow import ActionRefused
from tests.family.conftest import sign_in

pytestmark = pytest.mark.django_db

APPLICANT_PHONE = "13812345678"
APPLICANT_ID = "11010519491231002X"
CHILD_ID = "320206201003010015"


def png(name="proof.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 200, content_type="image/png")


def application_post(union, **overrides):
    data = {
        "union": union.pk, "employer": "海溪公司", "address": "惠山区堰桥街道西漳村 5 号", "housing": "rented",
        "main_cause": "serious_illness", "sudden_event_cost": "0", "bank_name": "工商银行",
        "bank_card": "6222020200112233445",
        "expense_medical": "12000", "expense_disability": "0", "expense_schooling": "3000", "expense_housing": "0",
        "m0-name": "李梅", "m0-relation": "self", "m0-id_number": APPLICANT_ID, "m0-work_status": "employed",
        "m0-health": "cancer", "m0-disability": "none", "m0-income_wages": "1800",
        "m1-name": "李小明", "m1-relation": "child", "m1-id_number": CHILD_ID, "m1-work_status": "student",
        "m1-school_level": "junior", "m1-health": "healthy", "m1-disability": "none",
        "proofs": png(), "authorisation": png("auth.png"),
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def applicant(db):
    client = Client()
    sign_in(client, APPLICANT_PHONE)
    client.post("/family/sign-in/start/", {"which": "register", "reg-name": "李梅", "reg-id_number": APPLICANT_ID})
    return client


def test_an_online_application_lands_in_the_unions_queue_with_the_worker_as_submitter(applicant, tree, standard):
    response = applicant.post("/family/apply/", application_post(tree["company"]))

    assert response.status_code == 302, response.content.decode()[-3000:]
    household = Household.objects.get(head_id_number=APPLICANT_ID)
    assert (household.status, household.source, household.union) == (Status.SUBMITTED, Source.ONLINE, tree["company"])
    assert household.submitted_by is None and household.created_by is None
    assert household.members.count() == 2 and household.attachments.count() == 2
    assert WorkerAccount.objects.get(phone=APPLICANT_PHONE).household == household
    assert "初审" in applicant.get("/family/").content.decode()


def test_the_unions_only_ganshi_gives_the_first_review_of_a_worker_submitted_case(
    applicant, tree, standard, grassroots
):
    applicant.post("/family/apply/", application_post(tree["company"]))
    household = Household.objects.get(head_id_number=APPLICANT_ID)

    actions = {a.name for a in review_workflow.available_actions(household, grassroots) if a.allowed}

    assert {"first_visit", "first_return"} <= actions
    visit = review.VisitInput(visited_on=household.submitted_at.date(), living_conditions="租房", findings="属实")
    review.visit_record(actor=grassroots, household_id=household.pk, step=Step.FIRST, visit=visit)
    review.first_review_decide(actor=grassroots, household_id=household.pk, decision="approve", text="同意")
    assert Household.objects.get(pk=household.pk).status == Status.SECOND_REVIEW


def test_a_returned_application_is_fixed_and_resubmitted_by_the_worker(applicant, tree, standard, grassroots):
    applicant.post("/family/apply/", application_post(tree["company"]))
    household = Household.objects.get(head_id_number=APPLICANT_ID)
    review.first_review_decide(actor=grassroots, household_id=household.pk, decision="return",
                               text="请补充孩子的在读证明")  # fmt: skip

    home = applicant.get("/family/").content.decode()
    form = applicant.get("/family/apply/correct/")
    household.refresh_from_db()
    data = application_post(tree["company"], version=str(household.version), **{"m1-school_level": "senior"})
    data.pop("union")
    data.pop("authorisation")
    child = household.members.get(id_number=CHILD_ID)
    head = household.members.get(id_number=APPLICANT_ID)
    data.update({"m0-id": head.pk, "m1-id": child.pk})
    resubmitted = applicant.post("/family/apply/correct/", data)

    assert "请补充孩子的在读证明" in home and "请补充孩子的在读证明" in form.content.decode()
    assert resubmitted.status_code == 302, resubmitted.content.decode()[-3000:]
    household.refresh_from_db()
    assert household.status == Status.SUBMITTED
    assert household.members.get(pk=child.pk).school_level == "senior"
    assert household.attachments.count() == 3
    assert Opinion.objects.filter(household=household, decision="return").count() == 1


def test_staff_cannot_take_the_workers_submit_and_another_worker_cannot_either(applicant, tree, standard, grassroots,
                                                                               worker):  # fmt: skip
    applicant.post("/family/apply/", application_post(tree["company"]))
    household = Household.objects.get(head_id_number=APPLICANT_ID)
    review.first_review_decide(actor=grassroots, household_id=household.pk, decision="return", text="补")

    with pytest.raises(ActionRefused):
        review.household_submit_online(worker=grassroots, household_id=household.pk)
    with pytest.raises(ActionRefused):
        review.household_submit_online(worker=worker, household_id=household.pk)


def test_an_application_needs_the_signed_authorisation(applicant, tree, standard):
    data = application_post(tree["company"])
    data.pop("authorisation")

    response = applicant.post("/family/apply/", data)

    assert response.status_code == 200 and "授权书" in response.content.decode()
    assert not Household.objects.filter(head_id_number=APPLICANT_ID).exists()


def test_the_applicant_must_be_the_person_who_registered(applicant, tree, standard):
    response = applicant.post(
        "/family/apply/", application_post(tree["company"], **{"m0-id_number": CHILD_ID, "m1-id_number": APPLICANT_ID})
    )

    assert response.status_code == 200 and "注册时填写的一致" in response.content.decode()
    assert not Household.objects.exists() or not Household.objects.filter(source="online").exists()


def test_my_file_in_english_gives_the_tier_reason_in_english(worker_client, household):
    page = worker_client.get("/family/my-file/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]

    assert "under the standard in force from" in main and "dibao" in main
    assert "低保" not in main and "：" not in main
