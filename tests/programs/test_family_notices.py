"""Notifications to families: one per payment that arrives, an SMS retried and never blocking the batch,
templates the system admin edits."""

import pytest
from django.test import override_settings

from cases.models import Household
from cases.notices import services as notices
from cases.notices import sms
from cases.notices.models import FamilyNotification, MessageTemplate, SmsDelivery
from hardship.models import AuditEvent, Role
from programs.assistance import services
from programs.assistance.models import Batch, Payment
from tests.factories import user_with_role
from tests.programs.test_money import _approved, _result_file

pytestmark = pytest.mark.django_db


def _reconcile_all(approver, batch, verdict="成功"):
    rows = [[p.reference, verdict, ""] for p in Payment.objects.filter(batch=batch)]
    return services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))


@pytest.fixture
def exported(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    return batch


def test_a_payment_that_arrives_produces_exactly_one_notification_with_its_sms(
    exported, approver, django_capture_on_commit_callbacks
):
    payments = list(Payment.objects.filter(batch=exported))

    with django_capture_on_commit_callbacks(execute=True):
        _reconcile_all(approver, exported)
    with django_capture_on_commit_callbacks(execute=True):  # the same file uploaded again tells nobody twice
        _reconcile_all(approver, exported)

    told = FamilyNotification.objects.filter(event="payment_paid")
    assert told.count() == len(payments) == 2
    one = told.get(key=f"payment:{payments[0].pk}")
    assert f"{payments[0].amount}元" in one.text and payments[0].card_number[-4:] in one.text
    assert set(SmsDelivery.objects.values_list("status", flat=True)) == {"sent"}


@override_settings(SMS_BACKEND="hardship.sms.HttpBackend", SMS_HTTP_URL="http://127.0.0.1:9/send", SMS_HTTP_TIMEOUT=1)
def test_a_failing_sms_provider_does_not_stop_the_batch(exported, approver, django_capture_on_commit_callbacks):
    # Given the HTTP provider unreachable (nothing listens on loopback port 9)
    # When the bank's result is applied
    with django_capture_on_commit_callbacks(execute=True):
        result = _reconcile_all(approver, exported)

    # Then every payment is paid and the batch reconciled; each SMS was tried five times and failed
    assert result.paid == 2 and Batch.objects.get(pk=exported.pk).status == Batch.Status.RECONCILED
    deliveries = SmsDelivery.objects.all()
    assert [(d.status, d.attempts) for d in deliveries] == [("failed", 5), ("failed", 5)]
    assert "unreachable" in deliveries[0].last_error
    assert FamilyNotification.objects.filter(event="payment_paid").count() == 2  # in-app all the same


def test_a_provider_that_recovers_sends_on_the_retry(
    exported, approver, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["phone"])
        if len(calls) % 2:
            raise TimeoutError("timeout")

    monkeypatch.setattr(sms, "send", flaky)

    with django_capture_on_commit_callbacks(execute=True):
        _reconcile_all(approver, exported)

    assert [(d.status, d.attempts) for d in SmsDelivery.objects.all()] == [("sent", 2), ("sent", 2)]


def test_a_template_edit_changes_the_text_and_is_audited(exported, approver, tree, django_capture_on_commit_callbacks):
    admin = user_with_role(Role.SYSTEM_ADMIN, tree["city"])
    notices.message_template_update(actor=admin, event="payment_paid", text="您的{program}已到账{amount}元，请查收。")

    with django_capture_on_commit_callbacks(execute=True):
        _reconcile_all(approver, exported)

    texts = set(FamilyNotification.objects.values_list("text", flat=True))
    assert all(t.startswith("您的") and t.endswith("元，请查收。") for t in texts)
    event = AuditEvent.objects.get(verb="notice.template")
    assert event.changes["text"][1] == "您的{program}已到账{amount}元，请查收。"


def test_the_templates_are_seeded_in_chinese_for_every_event():
    assert MessageTemplate.objects.count() == 10
    assert all("【职工帮扶】" in t for t in MessageTemplate.objects.values_list("text", flat=True))


def test_a_household_without_a_mobile_number_is_told_in_app_only(
    exported, approver, django_capture_on_commit_callbacks
):
    Household.objects.filter(pk__in=Payment.objects.filter(batch=exported).values("household_id")).update(
        phone="0510-8888888"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _reconcile_all(approver, exported)

    assert set(SmsDelivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_a_family_hears_of_its_yearly_review_once_a_month_before_it_is_due(
    exported, django_capture_on_commit_callbacks
):
    from datetime import date

    from cases.notices.services import yearly_reviews_due_notify

    household_id = Payment.objects.filter(batch=exported).values_list("household_id", flat=True).first()
    Household.objects.filter(pk=household_id).update(next_review_due=date(2027, 1, 20))

    with django_capture_on_commit_callbacks(execute=True):
        told = yearly_reviews_due_notify(on=date(2026, 12, 25))
    with django_capture_on_commit_callbacks(execute=True):
        yearly_reviews_due_notify(on=date(2026, 12, 26))  # the next day: not again

    notice = FamilyNotification.objects.get(event="yearly_review_due")
    assert told == 1 and notice.household_id == household_id and "2027-01-20" in notice.text
