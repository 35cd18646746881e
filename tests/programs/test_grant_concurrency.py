"""Eight identical grant applications at the same moment make one grant (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from programs.assistance import services
from programs.assistance.demo import seed_programs
from programs.assistance.models import Grant, Program
from tests.programs.test_money import filed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_identical_applications_at_once_leave_one_pending_grant(tree, standard, grassroots):
    # Given a filed household and its union's medical aid
    seed_programs(union=tree["city"])
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")
    barrier, outcomes = threading.Barrier(8), []

    def apply():
        try:
            barrier.wait()
            services.grant_apply(actor=grassroots, household=household, program=medical, amount=Decimal("2000"),
                                 self_paid=Decimal("3000"), reason="住院自付")  # fmt: skip
            outcomes.append("applied")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # When eight requests apply for it at the same moment
    threads = [threading.Thread(target=apply) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one is saved and seven are told why not
    assert outcomes.count("applied") == 1
    refused = [o for o in outcomes if o != "applied"]
    assert len(refused) == 7 and all("已有一份“一次性医疗补贴”申请" in o for o in refused)
    assert Grant.objects.filter(household=household, status=Grant.Status.APPLIED).count() == 1
