"""The family channel's public pages under hostile input (like tests/hardening/test_fuzz_forms.py): the
self-test, the sign-in, the code and the link/register pages never answer 500, never store what they
refuse, and never send a code to a number that is not a mobile number."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from family.models import SignInCode, WorkerAccount
from hardship.sms import sms_file_messages
from tests.family.conftest import sign_in
from tests.hardening.test_fuzz_forms import BAD_INTEGERS, BAD_NUMBERS, HOSTILE_TEXT, NUL_TEXT, ODD_NUMBERS

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
# Query strings are checked by ControlCharacterMiddleware (400), so the self-test gets what a GET carries.
hostile = st.one_of(
    st.sampled_from(HOSTILE_TEXT + NUL_TEXT + BAD_NUMBERS + ODD_NUMBERS + BAD_INTEGERS),
    st.text(max_size=60),
)
SELF_TEST_FIELDS = ["union", "p0-age", "p0-work_status", "p0-health", "p0-disability", "p0-income_wages",
                    "p0-income_pension", "p1-age", "expense_medical", "expense_schooling",
                    "sudden_event_cost"]  # fmt: skip


@FUZZ
@given(values=st.dictionaries(st.sampled_from(SELF_TEST_FIELDS), hostile, min_size=1))
def test_the_self_test_never_fails_and_never_writes(client, tree, standard, values):
    query = {"union": str(tree["city"].pk), "p0-age": "40", **values}

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/family/self-test/", query)

    assert response.status_code in (200, 400)
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


@FUZZ
@given(phone=hostile)
def test_the_sign_in_never_fails_and_sends_codes_only_to_mobile_numbers(tree, phone):
    response = Client().post("/family/sign-in/", {"phone": phone})

    assert response.status_code in (200, 302)
    for message in sms_file_messages():
        assert len(message["phone"]) == 11 and message["phone"].isdigit() and message["phone"].startswith("1")


@FUZZ
@given(code=hostile)
def test_the_code_page_never_fails_and_signs_in_no_one_with_a_wrong_code(worker, code):
    client = Client()
    session = client.session
    session["_family_pending_phone"] = worker.phone
    session.save()
    SignInCode.objects.all().delete()

    response = client.post("/family/sign-in/code/", {"code": code})

    assert response.status_code == 200  # no code was ever sent: nothing can be right
    assert "_family_worker_id" not in client.session


@FUZZ
@given(name=hostile, id_number=hostile)
def test_the_register_page_never_fails_and_stores_only_checked_id_numbers(db, name, id_number):
    client = Client()
    session = client.session
    session["_family_verified_phone"] = "13712340000"
    session.save()

    response = client.post("/family/sign-in/start/", {"which": "register", "reg-name": name,
                                                       "reg-id_number": id_number})  # fmt: skip

    assert response.status_code in (200, 302)
    for account in WorkerAccount.objects.all():
        assert "\x00" not in account.name and len(account.id_number_masked) == 18
        account.delete()


def test_signing_in_through_the_pages_still_works_after_the_fuzz(worker):
    client = Client()
    sign_in(client, worker.phone)

    assert client.get("/family/").status_code == 200
