"""The family channel's fixtures: the SMS file backend, a filed household's worker, a signed-in client."""

import re

import pytest
from django.test import Client

from cases.models import HardshipStandard
from cases.services import household_create
from family.models import WorkerAccount
from hardship.models import Role
from hardship.sms import sms_file_messages
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role

PHONE = "13905100001"


@pytest.fixture(autouse=True)
def sms_file(settings, tmp_path):
    """Every message goes to a file under the test's own directory, as with make run."""
    settings.SMS_BACKEND = "hardship.sms.FileBackend"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_FILE_ECHO = False
    return settings.SMS_FILE_DIR / "sms.jsonl"


def last_code(phone: str) -> str:
    messages = sms_file_messages(phone)
    assert messages, f"no SMS to {phone}"
    return re.search(r"\d{6}", messages[-1]["text"]).group()


def sign_in(client: Client, phone: str) -> None:
    """Through the pages: the number, then the code from the file backend."""
    response = client.post("/family/sign-in/", {"phone": phone})
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post("/family/sign-in/code/", {"code": last_code(phone)})
    assert response.status_code == 302


@pytest.fixture
def standard(tree):
    return HardshipStandard.objects.create(union=tree["city"], **WUXI)


@pytest.fixture
def grassroots(tree):
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], username="only_ganshi", full_name="唯一干事")


@pytest.fixture
def household(tree, standard, grassroots):
    head = person(name="蒋建华")
    household = household_create(actor=grassroots, union=tree["company"], data=household_data(phone=PHONE),
                                 members=[head, person("child", "蒋小华", work="student")])  # fmt: skip
    household.head_member = head
    return household


@pytest.fixture
def worker(household):
    account = WorkerAccount(phone=PHONE, name=household.head_name, household=household)
    account.set_id_number(household.head_id_number)
    account.save()
    return account


@pytest.fixture
def worker_client(worker):
    client = Client()
    sign_in(client, worker.phone)
    return client
