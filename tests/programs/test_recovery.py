"""追回: money wrongly paid is a receivable on the household, collected in instalments or written off."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from cases.history import file_history
from hardship.audit_words import verb_label
from hardship.models import Role, RoleAssignment, User
from hardship.money import money_text
from hardship.workflow import ActionRefused
from programs.assistance.balances import fund_balance
from programs.assistance.models import LedgerEntry
from programs.assistance.periods import quarter_of
from programs.recovery import services as recovery
from programs.recovery.models import ReceivableEntry, ReceivableStatus
from programs.recovery.selectors import never_helped
from programs.reports.selectors import RECOVERY_LINE, quarterly_return
from tests.factories import user_with_role

from .recovery_world import paid_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    fund = tree["huishan"]
    return {
        "centre": user_with_role(Role.CENTRE_STAFF, fund, username="qian_centre", full_name="钱中心"),
        "approver": user_with_role(Role.FUND_APPROVER, fund, username="zhao_fund", full_name="赵资金"),
        "approver2": user_with_role(Role.FUND_APPROVER, fund, username="li_fund", full_name="李资金"),
    }


@pytest.fixture
def paid(tree, people):
    return paid_household(union=tree["company"], fund=tree["huishan"], starter=people["centre"],
                          approver=people["approver"])  # fmt: skip


def _raise(paid, people, amount="300"):
    return recovery.receivable_raise(actor=people["centre"], household_id=paid.household.pk,
                                     payment_ids=[p.pk for p in paid.payments], amount=Decimal(amount),
                                     reason="信息比对：名下有车辆")  # fmt: skip


def test_a_recovery_in_two_instalments_balances_the_ledger(tree, people, paid, client):
    # Given 300 yuan wrongly paid, recorded as owed
    year = timezone.localdate().year
    before = fund_balance(union=tree["huishan"], year=year)
    receivable = _raise(paid, people)
    assert fund_balance(union=tree["huishan"], year=year) == before  # recording it moves no money

    # When it is collected in two instalments, through the confirmation page
    client.force_login(people["centre"])
    url = reverse("programs:receivable_action", args=[receivable.pk, "collect"])
    assert "资金余额" in client.get(url).content.decode()
    today = timezone.localdate().isoformat()
    client.post(url, {"amount": "120", "received_on": today, "memo": "第 1 期", "confirm": "on"})
    client.post(url, {"amount": "180", "received_on": today, "memo": "第 2 期", "confirm": "on"})

    # Then nothing is owed, the receivable is settled, and the fund is 300 yuan up in two 追回入账 rows
    receivable.refresh_from_db()
    assert recovery.outstanding(receivable) == Decimal("0.00")
    assert receivable.status == ReceivableStatus.SETTLED
    assert fund_balance(union=tree["huishan"], year=year) == before + Decimal("300")
    assert list(LedgerEntry.objects.filter(kind="recovery").order_by("id").values_list("amount", flat=True)) == [
        Decimal("120.00"), Decimal("180.00")]  # fmt: skip
    # and the file's history says it in words
    verbs = [verb_label(e.verb) for e in file_history(household=paid.household)]
    assert verbs.count("收回追回款") == 2 and "登记追回款" in verbs
    page = client.get(reverse("programs:receivable_detail", args=[receivable.pk])).content.decode()
    assert "已追回" in page and 'data-action="collect"' not in page


def test_a_collection_cannot_exceed_what_is_owed(people, paid):
    receivable = _raise(paid, people, "100")

    with pytest.raises(ActionRefused, match="尚欠"):
        recovery.receivable_collect(actor=people["centre"], receivable_id=receivable.pk, amount=Decimal("100.01"),
                                    received_on=timezone.localdate())  # fmt: skip


def test_a_receivable_cannot_exceed_the_payments_it_names(people, paid):
    with pytest.raises(ActionRefused, match="不能超过"):
        _raise(paid, people, str(paid.total + 1))


def test_a_write_off_needs_approval_by_someone_else(tree, people, paid):
    # Given a receivable half collected, and a write-off of the rest proposed by a centre staff member who
    # is a fund approver too
    receivable = _raise(paid, people, "200")
    recovery.receivable_collect(actor=people["centre"], receivable_id=receivable.pk, amount=Decimal("50"),
                                received_on=timezone.localdate())  # fmt: skip
    RoleAssignment.objects.create(user=people["centre"], union=tree["huishan"], role=Role.FUND_APPROVER)
    proposer = User.objects.get(pk=people["centre"].pk)  # a fresh role cache
    recovery.receivable_propose_write_off(actor=proposer, receivable_id=receivable.pk, reason="户主病故，家中无力偿还")
    balance = fund_balance(union=tree["huishan"], year=timezone.localdate().year)

    # When the proposer tries to approve it, they are refused
    with pytest.raises(ActionRefused, match="不能自己审批"):
        recovery.receivable_decide_write_off(actor=proposer, receivable_id=receivable.pk, approve=True)

    # When another fund approver approves it
    recovery.receivable_decide_write_off(actor=people["approver2"], receivable_id=receivable.pk, approve=True)

    # Then the rest (150) is written off on the receivable's ledger; the fund does not move
    receivable.refresh_from_db()
    assert receivable.status == ReceivableStatus.WRITTEN_OFF and receivable.decided_by == people["approver2"]
    assert recovery.outstanding(receivable) == 0
    assert receivable.entries.get(kind="write_off").amount == Decimal("-150.00")
    assert fund_balance(union=tree["huishan"], year=timezone.localdate().year) == balance
    assert "批准核销追回款" in [verb_label(e.verb) for e in file_history(household=paid.household)]


def test_a_refused_write_off_goes_back_to_collection(people, paid):
    receivable = _raise(paid, people, "80")
    recovery.receivable_propose_write_off(actor=people["centre"], receivable_id=receivable.pk, reason="无力偿还")

    recovery.receivable_decide_write_off(actor=people["approver"], receivable_id=receivable.pk, approve=False,
                                         note="有稳定收入，可分期")  # fmt: skip

    receivable.refresh_from_db()
    assert receivable.status == ReceivableStatus.OPEN and recovery.outstanding(receivable) == Decimal("80.00")


def test_the_quarterly_return_shows_recoveries_as_negative_money(tree, people, paid):
    receivable = _raise(paid, people, "100")
    recovery.receivable_collect(actor=people["centre"], receivable_id=receivable.pk, amount=Decimal("100"),
                                received_on=timezone.localdate())  # fmt: skip

    rows = quarterly_return(user=people["approver"], quarter=quarter_of(timezone.localdate()).key)

    line = next(r for r in rows if r["program"] == RECOVERY_LINE)
    assert line["money"] == Decimal("-100.00") and line["households"] == 1
    assert sum(r["money"] for r in rows) == paid.total - Decimal("100")


def test_filed_households_never_helped_are_listed(tree, people, paid, grassroots, standard):
    from cases.models import Household, Status  # noqa: PLC0415
    from cases.services import household_create  # noqa: PLC0415
    from tests.cases.conftest import household_data, person  # noqa: PLC0415

    never = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    Household.objects.filter(pk=never.pk).update(status=Status.FILED, filed_at=timezone.localdate())

    listed = set(never_helped(user=people["centre"]).values_list("pk", flat=True))

    assert never.pk in listed and paid.household.pk not in listed


@pytest.mark.postgres
def test_the_recovery_ledger_refuses_edits_at_the_database(people, paid):
    receivable = _raise(paid, people, "10")

    with pytest.raises(DatabaseError, match="append-only"):
        ReceivableEntry.objects.filter(receivable=receivable).update(amount=Decimal("1"))


def test_the_file_offers_登记追回_to_whoever_the_recovery_rule_allows_and_no_one_else(tree, people, paid, client):
    # The file page (cases) asks programs.recovery's own rule, not a copy of it.
    page = reverse("cases:household_detail", args=[paid.household.pk])
    approver = people["approver"]  # reads the file, may not raise a recovery

    client.force_login(people["centre"])
    offered_to_centre = 'data-testid="raise-recovery"' in client.get(page).content.decode()
    client.force_login(approver)
    response = client.get(page)
    assert response.status_code == 200
    offered_to_approver = 'data-testid="raise-recovery"' in response.content.decode()

    assert (offered_to_centre, offered_to_approver) == (True, False)


def _cell(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"><strong>([^<]+)</strong>', page)[1]


def _collect(receivable, people, amount, memo=""):
    return recovery.receivable_collect(actor=people["centre"], receivable_id=receivable.pk, amount=Decimal(amount),
                                       received_on=timezone.localdate(), memo=memo)  # fmt: skip


def test_two_instalments_one_reversed_and_collected_again_balance(tree, people, paid, client):
    # Given 300 owed, collected as 120 and 180 — but the 180 was recorded by mistake (the worker paid 150)
    year = timezone.localdate().year
    before = fund_balance(union=tree["huishan"], year=year)
    receivable = _raise(paid, people)
    _collect(receivable, people, "120", "第 1 期")
    wrong = _collect(receivable, people, "180", "第 2 期")
    receivable.refresh_from_db()
    assert receivable.status == ReceivableStatus.SETTLED

    # When centre staff reverse it through its confirmation page, which shows what comes back
    client.force_login(people["centre"])
    url = reverse("programs:instalment_reverse", args=[receivable.pk, wrong.pk])
    page = client.get(url).content.decode()
    assert _cell(page, "owed-after") == money_text(Decimal("180"))  # from 0.00
    assert _cell(page, "balance-after") == money_text(before + Decimal("120"))  # from before + 300
    response = client.post(url, {"reason": "凭证为 150 元，误登记为 180 元", "confirm": "on"})
    assert response.status_code == 302

    # Then the receivable is open again for 180, the fund is back to 120 up, and nothing was edited
    receivable.refresh_from_db()
    assert receivable.status == ReceivableStatus.OPEN
    assert recovery.outstanding(receivable) == Decimal("180.00")
    assert fund_balance(union=tree["huishan"], year=year) == before + Decimal("120")
    assert list(receivable.entries.order_by("id").values_list("kind", "amount")) == [
        ("raised", Decimal("300.00")), ("instalment", Decimal("-120.00")), ("instalment", Decimal("-180.00")),
        ("reversal", Decimal("180.00"))]  # fmt: skip
    assert list(LedgerEntry.objects.filter(kind__in=["recovery", "recovery_reversal"]).order_by("id")
                .values_list("kind", "amount")) == [("recovery", Decimal("120.00")), ("recovery", Decimal("180.00")),
                                                    ("recovery_reversal", Decimal("-180.00"))]  # fmt: skip

    # When the right amount is collected
    _collect(receivable, people, "150", "第 2 期（更正）")
    _collect(receivable, people, "30", "第 3 期")

    # Then it balances: settled, the fund 300 up, the quarterly return's recovery line −300 in all
    receivable.refresh_from_db()
    assert receivable.status == ReceivableStatus.SETTLED and recovery.outstanding(receivable) == 0
    assert fund_balance(union=tree["huishan"], year=year) == before + Decimal("300")
    rows = quarterly_return(user=people["approver"], quarter=quarter_of(timezone.localdate()).key)
    assert next(r for r in rows if r["program"] == RECOVERY_LINE)["money"] == Decimal("-300.00")
    # and the history says who reversed what, and why
    event = next(e for e in file_history(household=paid.household) if e.verb == "recovery.reverse")
    assert verb_label(event.verb) == "冲正追回款收回" and event.actor == people["centre"]
    assert event.changes["outstanding"] == ["0.00", "180.00"] and "误登记" in event.changes["reason"][1]
    page = client.get(reverse("programs:receivable_detail", args=[receivable.pk])).content.decode()
    assert page.count('data-action="reverse_instalment"') == 3 and 'data-testid="reversed"' in page


def test_an_instalment_is_reversed_once_and_only_an_instalment(people, paid):
    receivable = _raise(paid, people)
    instalment = _collect(receivable, people, "100")
    _collect(receivable, people, "50")  # another instalment still reversible: the receivable offers 冲正
    recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                reason="重复登记")  # fmt: skip

    with pytest.raises(ActionRefused, match="已经冲正"):
        recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                    reason="再冲一次")  # fmt: skip
    raised = receivable.entries.get(kind="raised")
    with pytest.raises(ActionRefused, match="只有“收回”记录"):
        recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=raised.pk,
                                    reason="不是收回")  # fmt: skip
    reversal = receivable.entries.get(kind="reversal")
    with pytest.raises(ActionRefused, match="只有“收回”记录"):
        recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=reversal.pk,
                                    reason="冲正的冲正")  # fmt: skip
    assert recovery.outstanding(receivable) == Decimal("250.00")


def test_with_nothing_left_to_reverse_the_action_is_refused_in_those_words(people, paid):
    receivable = _raise(paid, people)
    instalment = _collect(receivable, people, "100")
    recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                reason="重复登记")  # fmt: skip

    with pytest.raises(ActionRefused, match="没有可冲正的收回记录"):
        recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                    reason="再冲一次")  # fmt: skip
    assert recovery.outstanding(receivable) == Decimal("300.00")


def test_a_reversal_needs_a_reason_and_centre_staff(people, paid):
    receivable = _raise(paid, people)
    instalment = _collect(receivable, people, "100")

    with pytest.raises(ActionRefused, match="冲正理由"):
        recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                    reason="  ")  # fmt: skip
    with pytest.raises(ActionRefused, match="没有“冲正收回”的权限"):
        recovery.instalment_reverse(actor=people["approver"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                    reason="误登记")  # fmt: skip
    assert not receivable.entries.filter(kind="reversal").exists()


def test_the_database_refuses_a_second_reversal_of_one_instalment(people, paid):
    # The service's check aside (two requests at once, a shell): the reversed column is unique.

    receivable = _raise(paid, people)
    instalment = _collect(receivable, people, "100")
    first = recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                        reason="重复登记")  # fmt: skip

    with pytest.raises(IntegrityError), transaction.atomic():
        ReceivableEntry.objects.create(receivable=receivable, kind="reversal", amount=Decimal("100"),
                                       ledger_entry=LedgerEntry.objects.create(
                                           account=first.ledger_entry.account, kind="recovery_reversal",
                                           amount=Decimal("-100"), memo="again"),
                                       reverses=instalment, received_on=timezone.localdate(), memo="again",
                                       created_by=people["centre"])  # fmt: skip


@pytest.mark.postgres
def test_a_reversal_is_a_new_row_the_instalment_is_never_edited(people, paid):
    receivable = _raise(paid, people)
    instalment = _collect(receivable, people, "100")
    recovery.instalment_reverse(actor=people["centre"], receivable_id=receivable.pk, entry_id=instalment.pk,
                                reason="误登记")  # fmt: skip

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReceivableEntry.objects.filter(pk=instalment.pk).update(memo="已冲正")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(kind="recovery_reversal").update(amount=Decimal("-1"))
