"""What 销毁 erases of a worker's sign-in (family): registered with ``hardship.erasure`` by ``FamilyConfig``.

The account is switched off and its name, phone and 身份证号 go; the phone and the number's digest
are unique columns, so each gets a placeholder that can never sign in or match anyone.
"""

from hardship.erasure import ERASED

from .models import WorkerAccount


def household_values(household) -> list[str]:
    accounts = WorkerAccount.objects.filter(household=household).values_list("name", "phone", "id_number_masked")
    return [value for row in accounts for value in row]


def household_rows_erase(household, values: list[str]) -> None:
    for account in WorkerAccount.objects.filter(household=household).only("pk"):
        WorkerAccount.objects.filter(pk=account.pk).update(
            name=ERASED, phone=f"E{account.pk:010d}"[-11:], id_number_hash=f"erased-{account.pk}",
            id_number_masked="", is_active=False,
        )  # fmt: skip
