"""How the consistency test drives 核查处理 (a cross-check flag): one flag per state and guard, personas, calls.

``build(tree)`` raises flags through the services (consent → request → a 车辆 result) on households of
海溪公司: an open flag on a filed file, one on a file in 公示 (only 退回复审 applies), one confirmed and one
dismissed; the personas are every role at the file's own, a parent and a sibling union. ``offered``
reads the flag page's action forms.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.crosscheck import services as svc
from cases.crosscheck.models import DEFAULT_BUSINESS_ROLES, Flag, FlagRuleSet, Registry, RegistryKind, RequestScope
from cases.models import HardshipStandard, Household, Status
from cases.services import household_create
from hardship.models import Role, User
from hardship.spreadsheet import csv_bytes
from tests.cases.conftest import WUXI, head_earning, household_data
from tests.factories import user_with_role

from .harness_household_review import ROLES

PDF = b"%PDF-1.4 signed\n%%EOF"


def build(tree) -> tuple[list[tuple[str, Flag]], dict[str, User]]:
    HardshipStandard.objects.get_or_create(union=tree["city"], effective_from=WUXI["effective_from"], defaults=WUXI)
    FlagRuleSet.objects.get_or_create(union=tree["city"], effective_from=date(2026, 1, 1), defaults={
        "average_area": Decimal("40"), "business_roles": DEFAULT_BUSINESS_ROLES})  # fmt: skip
    vehicles, _ = Registry.objects.get_or_create(code="cheliang", defaults={
        "name": "车辆登记", "kind": RegistryKind.VEHICLE, "request_columns": ["name", "id_number"],
        "result_columns": {"id_number": "身份证号", "count": "车辆数"}})  # fmt: skip
    places = {"own": tree["company"], "parent": tree["huishan"], "sibling": tree["lihu"]}
    personas: dict[str, User] = {}
    for role in ROLES:
        for where, union in places.items():
            personas[f"{role}@{where}"] = user_with_role(role, union)
    centre = personas["centre@city"] = user_with_role(Role.CENTRE_STAFF, tree["city"])
    grassroots = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}

    def flagged(status=Status.FILED) -> Flag:
        household = household_create(actor=grassroots, union=tree["company"], data=household_data(),
                                     members=head_earning("6000"))  # fmt: skip
        Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
        head = household.members.get(relation="self")
        today = timezone.localdate()
        svc.consent_record(actor=grassroots, household=household, member_ids=[head.pk],
                           upload=SimpleUploadedFile("授权书.pdf", PDF), signed_on=today - timedelta(days=1),
                           valid_until=today + timedelta(days=365), registry_ids=[vehicles.pk])  # fmt: skip
        check = svc.request_create(actor=centre, union_id=tree["city"].pk, scope=RequestScope.UNION,
                                   registry_ids=[vehicles.pk])  # fmt: skip
        upload = svc.results_upload(actor=centre, check=check, registry=vehicles, name="车辆.csv", result_date=today,
                                    data=csv_bytes([["身份证号", "车辆数"], [head.id_number, "1"]]))  # fmt: skip
        Household.objects.filter(pk=household.pk).update(status=status)
        return Flag.objects.get(finding__upload=upload)

    def confirmed() -> Flag:
        return svc.flag_confirm(actor=centre, flag_id=flagged().pk, outcome="exit", reason="名下有车")

    def dismissed() -> Flag:
        return svc.flag_dismiss(actor=centre, flag_id=flagged().pk, reason="单位车辆")

    made = [
        ("open, filed", flagged()),
        ("open, in public notice", flagged(Status.PUBLIC_NOTICE)),
        ("confirmed", confirmed()),
        ("dismissed", dismissed()),
    ]
    return [(label, Flag.objects.get(pk=flag.pk)) for label, flag in made], personas


_ACTION = re.compile(r'action="[^"]*/crosscheck/flags/\d+/([\w-]+)/" class="card mb-2" data-action="\1"')


def offered(flag: Flag, user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:xcheck_flag_detail", args=[flag.pk]))
    if response.status_code != 200:
        return set()
    return set(_ACTION.findall(response.content.decode()))


CALLS = {
    "confirm_change": lambda f, u: svc.flag_confirm(actor=u, flag_id=f.pk, outcome="change",
                                                    income_source="income_business", monthly=Decimal("1000")),
    "confirm_exit": lambda f, u: svc.flag_confirm(actor=u, flag_id=f.pk, outcome="exit"),
    "confirm_return": lambda f, u: svc.flag_confirm(actor=u, flag_id=f.pk, outcome="return", reason="在名单"),
    "dismiss": lambda f, u: svc.flag_dismiss(actor=u, flag_id=f.pk, reason="单位车辆"),
}  # fmt: skip

STATES_COVERED = {"open", "confirmed", "dismissed"}
