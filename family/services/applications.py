"""A worker's online application (网上申请): open it, attach proofs and the authorisation, submit; after a
return for correction, fix it and resubmit. The file itself and its review are the cases app's services:
this module only checks the file is the signed-in worker's and strings the steps together."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import NOT_LIVE_STATUSES, Attachment, Household
from cases.review.services import household_submit_online
from cases.services import attachment_add_online, household_correct_online, household_create_online
from hardship.services import audit_record
from hardship.workflow import ActionRefused

from ..models import WorkerAccount


def _own_household(worker: WorkerAccount) -> Household | None:
    if worker.household_id is None:
        return None
    return Household.objects.select_related("union").get(pk=worker.household_id)


def _attach(household, proofs, authorisation, request) -> None:
    for upload in proofs:
        attachment_add_online(household=household, kind=Attachment.Kind.INCOME_PROOF, upload=upload, request=request)
    if authorisation is not None:
        attachment_add_online(household=household, kind=Attachment.Kind.AUTHORISATION, upload=authorisation,
                              request=request)  # fmt: skip


def application_submit(*, worker: WorkerAccount, union, data: dict, members: list, proofs=(), authorisation=None,
                       request=None) -> Household:  # fmt: skip
    """Open the worker's file at the union they chose (their employer's), attach, and send it in."""
    current = _own_household(worker)
    if current is not None and current.status not in NOT_LIVE_STATUSES:
        raise ActionRefused(_("您已有一份档案，不能重复申请。"), code="has_file")
    if authorisation is None:
        raise ActionRefused(_("请拍照上传签字的《家庭经济状况核对授权书》。"), code="authorisation")
    with transaction.atomic():
        locked = WorkerAccount.objects.select_for_update().get(pk=worker.pk)
        if locked.household_id not in (None, getattr(current, "pk", None)):
            raise ActionRefused(_("您已有一份档案，不能重复申请。"), code="has_file")
        household = household_create_online(union=union, data={**data, "phone": worker.phone}, members=members,
                                            request=request)  # fmt: skip
        if household.head_id_number and not worker.id_number_matches(household.head_id_number):
            raise ValidationError(_("户主（本人）的身份证号须与注册时填写的一致。"))
        locked.household = household
        locked.save(update_fields=["household"])
        worker.household = household
        audit_record(actor=None, verb="worker.apply", target=household, request=request,
                     changes={"worker": (None, worker.masked_phone)})  # fmt: skip
        _attach(household, proofs, authorisation, request)
        return household_submit_online(worker=worker, household_id=household.pk, request=request)


def application_resubmit(*, worker: WorkerAccount, expected_version: int, data: dict, members: list, proofs=(),
                         authorisation=None, request=None) -> Household:  # fmt: skip
    """After a return for correction (退回补正): save the worker's fixes and new proofs, and send it back in."""
    household = _own_household(worker)
    if household is None:
        raise ActionRefused(_("您还没有网上申请。"), code="no_file")
    with transaction.atomic():
        household = household_correct_online(household_id=household.pk, expected_version=expected_version,
                                             data={**data, "phone": worker.phone}, members=members,
                                             request=request)  # fmt: skip
        if not worker.id_number_matches(household.head_id_number):
            raise ValidationError(_("户主（本人）的身份证号须与注册时填写的一致。"))
        audit_record(actor=None, verb="worker.correct", target=household, request=request,
                     changes={"worker": (None, worker.masked_phone)})  # fmt: skip
        _attach(household, proofs, authorisation, request)
        return household_submit_online(worker=worker, household_id=household.pk, request=request)
