"""Worker sign-in by mobile number and a one-time code: expiry, single use, attempts, rate limits, no
enumeration, linking a file by 身份证号 + the phone on it, registering, and no staff page for a worker."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from family.models import SignInCode, WorkerAccount
from family.services.accounts import code_send, code_verify
from hardship.workflow import ActionRefused
from tests.family.conftest import PHONE, last_code, sign_in

pytestmark = pytest.mark.django_db

UNKNOWN = "13700000009"


def test_a_known_and_an_unknown_number_get_the_same_answer(client, worker, sms_file):
    known = client.post("/family/sign-in/", {"phone": PHONE}, follow=True)
    other = Client().post("/family/sign-in/", {"phone": UNKNOWN}, follow=True)

    def page(response):
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return body.replace(PHONE[-4:], "####").replace(UNKNOWN[-4:], "####")

    assert known.status_code == other.status_code == 200
    assert page(known).replace(PHONE[:3], "###") == page(other).replace(UNKNOWN[:3], "###")
    assert last_code(PHONE) and last_code(UNKNOWN)  # both got a code: sending says nothing either


def test_the_code_signs_the_worker_in_once(worker):
    client = Client()
    client.post("/family/sign-in/", {"phone": PHONE})
    code = last_code(PHONE)

    first = client.post("/family/sign-in/code/", {"code": code})
    again = Client()
    again.post("/family/sign-in/", {"phone": PHONE})  # a second browser, too soon for a new code
    session = again.session
    session["_family_pending_phone"] = PHONE
    session.save()
    reused = again.post("/family/sign-in/code/", {"code": code})

    assert first.status_code == 302 and first["Location"] == "/family/"
    assert reused.status_code == 200 and "验证码不正确或已失效" in reused.content.decode()


def test_an_expired_code_is_refused(worker):
    code_send(phone=PHONE, ip="10.0.0.1")
    code = last_code(PHONE)
    SignInCode.objects.filter(phone=PHONE).update(
        created_at=timezone.now() - timedelta(minutes=10), expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert code_verify(phone=PHONE, code=code, ip="10.0.0.1") is False


def test_five_wrong_tries_spend_the_code(worker):
    code_send(phone=PHONE, ip="10.0.0.1")
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(5):
        assert code_verify(phone=PHONE, code=wrong, ip="10.0.0.1") is False

    assert code_verify(phone=PHONE, code=code, ip="10.0.0.1") is False


def test_a_number_gets_one_code_a_minute(worker):
    code_send(phone=PHONE, ip="10.0.0.1")

    with pytest.raises(ActionRefused, match="1 分钟"):
        code_send(phone=PHONE, ip="10.0.0.2")


def test_a_number_gets_at_most_five_codes_an_hour(worker, settings):
    settings.WORKER_CODE_INTERVAL_SECONDS = 0
    for n in range(5):
        code_send(phone=PHONE, ip=f"10.0.0.{n}")

    with pytest.raises(ActionRefused, match="次数过多"):
        code_send(phone=PHONE, ip="10.0.0.9")


def test_an_address_gets_at_most_twenty_codes_an_hour(db, settings):
    for n in range(20):
        code_send(phone=f"1370000{n:04d}", ip="10.9.9.9")

    with pytest.raises(ActionRefused, match="次数过多"):
        code_send(phone="13711110000", ip="10.9.9.9")
    code_send(phone="13711110000", ip="10.9.9.10")  # another address is not held up


def test_only_the_latest_code_works(worker, settings):
    settings.WORKER_CODE_INTERVAL_SECONDS = 0
    code_send(phone=PHONE, ip="10.0.0.1")
    first = last_code(PHONE)
    code_send(phone=PHONE, ip="10.0.0.1")
    second = last_code(PHONE)

    assert first == second or code_verify(phone=PHONE, code=first, ip="10.0.0.1") is False
    assert code_verify(phone=PHONE, code=second, ip="10.0.0.1") is True


def test_codes_are_kept_hashed(worker):
    code_send(phone=PHONE, ip="10.0.0.1")

    assert last_code(PHONE) not in SignInCode.objects.get().code_hash


def test_a_worker_links_the_file_by_id_number_and_the_phone_on_it(household):
    client = Client()
    sign_in(client, PHONE)

    response = client.post("/family/sign-in/start/", {"which": "link", "link-id_number": household.head_id_number})

    assert response.status_code == 302
    assert WorkerAccount.objects.get(phone=PHONE).household == household
    assert "蒋建华" in client.get("/family/").content.decode()


def test_another_phone_cannot_link_the_file(household):
    client = Client()
    sign_in(client, UNKNOWN)

    response = client.post("/family/sign-in/start/", {"which": "link", "link-id_number": household.head_id_number})

    assert response.status_code == 200 and "没有找到" in response.content.decode()
    assert not WorkerAccount.objects.exists()


def test_a_new_applicant_registers_with_a_checked_id_number(db):
    client = Client()
    sign_in(client, UNKNOWN)

    bad = client.post(
        "/family/sign-in/start/", {"which": "register", "reg-name": "李梅", "reg-id_number": "110105194912310021"}
    )
    good = client.post(
        "/family/sign-in/start/", {"which": "register", "reg-name": "李梅", "reg-id_number": "11010519491231002X"}
    )

    assert "校验位" in bad.content.decode()
    assert good.status_code == 302
    account = WorkerAccount.objects.get(phone=UNKNOWN)
    assert account.household is None and "11010519491231002X" not in account.id_number_hash


def test_the_worker_pages_need_the_worker_session(worker):
    assert Client().get("/family/")["Location"] == "/family/sign-in/"


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/review/queue/", "/admin/", "/api/households/"])
def test_a_signed_in_worker_reaches_no_staff_page(worker_client, url):
    response = worker_client.get(url)

    assert response.status_code in (302, 401, 403, 404)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]


def test_signing_out_ends_the_worker_session(worker_client):
    worker_client.post("/family/sign-out/")

    assert worker_client.get("/family/").status_code == 302


def test_a_provider_outage_still_answers_the_sign_in_page(client, worker, settings):
    settings.SMS_BACKEND = "hardship.sms.HttpBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TIMEOUT = "http://127.0.0.1:9/send", 1

    response = client.post("/family/sign-in/", {"phone": PHONE})

    assert response.status_code == 302 and response["Location"] == "/family/sign-in/code/"


def test_the_daily_beat_task_deletes_codes_spent_over_a_day_ago_and_keeps_the_rest(db, settings):
    from family.tasks import purge_sign_in_codes  # noqa: PLC0415

    now = timezone.now()

    def code(phone, *, age, ttl=timedelta(minutes=5), used_after=None):
        row = SignInCode.objects.create(phone=phone, code_hash="x", expires_at=now + timedelta(days=30))
        created = now - age
        SignInCode.objects.filter(pk=row.pk).update(
            created_at=created, expires_at=created + ttl, used_at=created + used_after if used_after else None
        )
        return row.pk

    expired_two_days_ago = code("13700000001", age=timedelta(days=2))
    used_two_days_ago = code("13700000002", age=timedelta(days=2), ttl=timedelta(days=3),
                             used_after=timedelta(minutes=1))  # fmt: skip
    expired_an_hour_ago = code("13700000003", age=timedelta(hours=1))
    live_long_code = code("13700000004", age=timedelta(days=2), ttl=timedelta(days=3))  # not spent: kept
    fresh = code("13700000005", age=timedelta(0))

    deleted = purge_sign_in_codes.delay().get()

    assert deleted == 2
    kept = set(SignInCode.objects.values_list("pk", flat=True))
    assert kept == {expired_an_hour_ago, live_long_code, fresh}
    assert not kept & {expired_two_days_ago, used_two_days_ago}
    entry = settings.CELERY_BEAT_SCHEDULE["purge-sign-in-codes"]
    assert entry["task"] == purge_sign_in_codes.name


def test_a_worker_still_signs_in_after_the_purge(worker):
    code_send(phone=PHONE, ip="10.0.0.1")
    old = timezone.now() - timedelta(days=3)
    SignInCode.objects.create(phone="13700000001", code_hash="x", expires_at=timezone.now() + timedelta(days=1))
    SignInCode.objects.filter(phone="13700000001").update(created_at=old, expires_at=old + timedelta(minutes=5))

    from family.tasks import purge_sign_in_codes  # noqa: PLC0415

    assert purge_sign_in_codes() == 1
    assert code_verify(phone=PHONE, code=last_code(PHONE), ip="10.0.0.1") is True


def test_the_code_sent_notice_is_in_the_visitors_language_and_names_the_set_minutes(worker, settings):
    settings.WORKER_CODE_TTL_SECONDS = 600
    english, chinese = Client(), Client()

    in_english = english.post("/family/sign-in/", {"phone": PHONE}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    cache.clear()  # one code a minute per number
    in_chinese = chinese.post("/family/sign-in/", {"phone": PHONE}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)

    assert "a code has been sent to it; it is valid for 10 minutes" in in_english.content.decode()
    assert "验证码已发送到该手机，10 分钟内有效" in in_chinese.content.decode()
