"""The family channel's demo: a worker account for the first filed demo household (sign in with its phone)."""

from cases.models import Household, Status

from .models import WorkerAccount


def seed_demo_worker() -> WorkerAccount | None:
    """Link a worker to the first filed household of the demo (idempotent: the same account on a second run)."""
    household = Household.objects.filter(status=Status.FILED).order_by("pk").first()
    if household is None:
        return None
    account = WorkerAccount.objects.filter(household=household).first()
    if account is None:
        account = WorkerAccount(phone=household.phone, name=household.head_name, household=household)
        account.set_id_number(household.head_id_number)
        account.save()
    return account
