"""销毁 leaves no personal data anywhere: generated from the models, every text column of every row that
belongs to the destroyed household (in every app's tables, the audit trail included) is searched for its
names, 身份证号, card and phone; the money and the audit trail still add up."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from cases.archive.services import household_anonymise
from cases.models import Household, Member
from cases.notices.models import FamilyNotification
from cases.review.models import Opinion
from cases.tickets.models import Ticket, TicketReply
from family.models import WorkerAccount
from hardship.erasure import ERASED, erasers
from hardship.identity import make_id_number
from hardship.models import AuditEvent, Role
from programs.assistance.balances import fund_balance
from programs.assistance.models import Grant, LedgerEntry, Payment, Program
from programs.recovery import services as recovery
from tests.factories import user_with_role
from tests.programs.recovery_world import paid_household

pytestmark = pytest.mark.django_db

NAME, SPOUSE, PAYEE, CARD, PHONE = "欧阳思远", "上官婉清", "欧阳思远", "6222021234567890128", "13905100002"
TEXT = (models.CharField, models.TextField, models.JSONField, models.FileField)


def rows_of(household: Household) -> dict[type, set[int]]:
    """Every row that belongs to the household, by model: rows pointing at one of its rows (transitively),
    the rows those point at one to one (a ledger entry of its instalment), and the audit events on them."""
    owned: dict[type, set[int]] = {Household: {household.pk}}
    for _round in range(6):
        grown = False
        for model in apps.get_models():
            for fk in (f for f in model._meta.concrete_fields if f.is_relation):
                found = set()
                if fk.related_model in owned:  # rows pointing at the household's rows
                    found = set(model._default_manager.filter(**{f"{fk.name}__in": owned[fk.related_model]})
                                .values_list("pk", flat=True))  # fmt: skip
                    grown |= _add(owned, model, found)
                if fk.one_to_one and model in owned:  # what its rows name one to one
                    named = model._default_manager.filter(pk__in=owned[model]).values_list(fk.attname, flat=True)
                    grown |= _add(owned, fk.related_model, set(named) - {None})
        if not grown:
            break
    targets = {(m._meta.label_lower, str(pk)) for m, ids in owned.items() for pk in ids}
    events = {e.pk for e in AuditEvent.objects.all() if (e.target_type, e.target_id) in targets}
    owned[AuditEvent] = owned.get(AuditEvent, set()) | events
    return owned


def _add(owned: dict, model, ids: set) -> bool:
    new = ids - owned.get(model, set())
    owned.setdefault(model, set()).update(new)
    return bool(new)


def personal_left(owned: dict[type, set[int]], secrets: list[str]) -> list[str]:
    found = []
    for model, ids in owned.items():
        columns = [f for f in model._meta.concrete_fields if isinstance(f, TEXT)]
        for row in model._default_manager.filter(pk__in=ids):
            for column in columns:
                text = str(getattr(row, column.attname) or "")
                found += [f"{model._meta.label}.{column.name} #{row.pk}: {s}" for s in secrets if s in text]
    return found


@pytest.fixture
def destroyed(tree):
    """A paid household with a spouse, an opinion, a grant, a recovery collected once, a worker's sign-in,
    a notice, a ticket with a reply, and its history."""
    fund = tree["huishan"]
    centre = user_with_role(Role.CENTRE_STAFF, fund, username="erase_centre", full_name="钱中心")
    approver = user_with_role(Role.FUND_APPROVER, fund, username="erase_fund", full_name="赵资金")
    paid = paid_household(union=tree["company"], fund=fund, starter=centre, approver=approver, name=NAME)
    household = paid.household
    head_id, spouse_id = household.head_id_number, make_id_number("320206", date(1972, 8, 8), 512)
    for relation, name, number, sex in (("self", NAME, head_id, "M"), ("spouse", SPOUSE, spouse_id, "F")):
        Member.objects.create(household=household, relation=relation, name=name, id_number=number, sex=sex,
                              birth_date=date(1970, 5, 1), work_status="employed")  # fmt: skip
    # The payees frozen on the payments, as the batch's freeze writes them
    Payment.objects.filter(household=household).update(payee_name=PAYEE, card_number=CARD)
    Opinion.objects.create(household=household, decision="agree", actor=centre,
                           text=f"{NAME}患尿毒症，妻子{SPOUSE}无业，同意。")  # fmt: skip
    Grant.objects.create(household=household, program=Program.objects.filter(fund_union=fund).first(),
                         amount=Decimal("500"), reason=f"{NAME}住院自付", year=timezone.localdate().year,
                         applied_by=centre)  # fmt: skip
    receivable = recovery.receivable_raise(actor=centre, household_id=household.pk,
                                           payment_ids=[p.pk for p in paid.payments], amount=Decimal("100"),
                                           reason=f"{NAME}名下有车")  # fmt: skip
    recovery.receivable_collect(actor=centre, receivable_id=receivable.pk, amount=Decimal("40"),
                                received_on=timezone.localdate(), memo=f"{SPOUSE}代缴 卡号{CARD}")  # fmt: skip
    # What the family's own channel, the notices and the tickets hold of them
    WorkerAccount.objects.create(
        phone=PHONE,
        name=NAME,
        id_number_hash="digest-of-" + head_id,
        id_number_masked=head_id[:6] + "********" + head_id[-4:],
        household=household,
    )
    FamilyNotification.objects.create(household=household, event="submitted", key=f"erase-{household.pk}",
                                      phone=PHONE, text=f"{NAME}您好，您的申请已提交。")  # fmt: skip
    ticket = Ticket.objects.create(kind="complaint", code=f"E{household.pk:08d}", union=household.union,
                                   household=household, text=f"举报{NAME}隐瞒收入", submitter_name=SPOUSE,
                                   submitter_phone=PHONE, due_on=timezone.localdate())  # fmt: skip
    TicketReply.objects.create(ticket=ticket, text=f"已联系{SPOUSE}核实")
    before = {
        "balance": fund_balance(union=fund, year=timezone.localdate().year),
        "paid": sum(Payment.objects.filter(household=household).values_list("amount", flat=True)),
        "ledger": list(LedgerEntry.objects.order_by("id").values_list("kind", "amount")),
        "audit": list(AuditEvent.objects.order_by("id").values_list("verb", "actor_id", "created_at")),
        "owed": recovery.outstanding(receivable),
    }
    secrets = [NAME, SPOUSE, head_id, spouse_id, CARD, PHONE]
    assert personal_left(rows_of(household), secrets), "the world holds no personal data to erase"

    with transaction.atomic():
        household_anonymise(household=household, when=timezone.now())
    return household, secrets, before, receivable, fund


def test_destruction_leaves_no_name_id_number_card_or_phone_in_any_row_of_the_household(destroyed):
    household, secrets, *_ = destroyed

    owned = rows_of(household)

    # The walk reached the tables that hold them: payments, the ledgers, the opinions, the audit trail …
    assert {
        Payment,
        LedgerEntry,
        Opinion,
        Grant,
        AuditEvent,
        Member,
        WorkerAccount,
        FamilyNotification,
        TicketReply,
    } <= set(owned)
    assert personal_left(owned, secrets) == []
    assert set(erasers()) >= {"audit", "cases", "programs", "family"}


def test_destruction_keeps_the_money_the_ledgers_and_the_audit_trail(destroyed):
    household, _secrets, before, receivable, fund = destroyed

    assert fund_balance(union=fund, year=timezone.localdate().year) == before["balance"]
    assert sum(Payment.objects.filter(household=household).values_list("amount", flat=True)) == before["paid"]
    assert list(LedgerEntry.objects.order_by("id").values_list("kind", "amount")) == before["ledger"]
    assert list(AuditEvent.objects.order_by("id").values_list("verb", "actor_id", "created_at")) == before["audit"]
    assert recovery.outstanding(receivable) == before["owed"]
    household.refresh_from_db()
    assert household.head_name == ERASED and household.destroyed_at and household.tier == "extreme"
    assert Payment.objects.filter(household=household).exclude(payee_name=ERASED).count() == 0


@pytest.mark.postgres
def test_outside_the_erasure_the_ledgers_and_the_audit_log_still_refuse_every_edit(destroyed):
    from django.db.utils import DatabaseError  # noqa: PLC0415

    household, *_ = destroyed
    entry = LedgerEntry.objects.filter(kind="recovery").first()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(memo="改写")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet.update(AuditEvent.objects.filter(target_id=str(household.pk)), target_repr="改写")


@pytest.mark.postgres
def test_inside_the_erasure_window_an_amount_is_still_refused(destroyed):
    from django.db.utils import DatabaseError  # noqa: PLC0415

    from hardship.erasure import erasure_window  # noqa: PLC0415

    entry = LedgerEntry.objects.filter(kind="recovery").first()

    with pytest.raises(DatabaseError, match="append-only"), erasure_window():
        LedgerEntry.objects.filter(pk=entry.pk).update(memo="改写", amount=Decimal("1"))
    with erasure_window():
        LedgerEntry.objects.filter(pk=entry.pk).update(memo=ERASED)  # the memo alone passes
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(memo="改写")  # and the window is closed again
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("40.00")
