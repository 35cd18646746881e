"""Two staff racing for the last place: the row locks make one of them wait and then refuse (PostgreSQL)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from programs.workstudy import services
from programs.workstudy.models import Placement, Position, Result

from .conftest import filed_student, make_position, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_staff_cannot_both_fill_the_last_place(centre, season, enterprise_a, tree):
    # Given a one-place position nobody holds and two unplaced students after the matching
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    wanted = make_position(centre, season, enterprise_a, title="仓库管理助理", places=1)
    students = []
    for i in range(3):
        member = filed_student(tree["company"], birth=date(2006, 1, 1 + i), name=f"学生{i}")
        students.append(register(centre, season, member, [office]))
    services.season_run_matching(actor=centre, season_id=season.pk)
    unplaced = [a for a in students if Placement.objects.filter(application=a).count() == 0]
    assert len(unplaced) == 2 and all(a.result != Result.PLACED for a in unplaced)
    barrier, outcomes = threading.Barrier(2), []

    def assign(application):
        try:
            barrier.wait()
            services.placement_assign(actor=centre, application_id=application.pk, position_id=wanted.pk)
            outcomes.append("placed")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # When both assign at the same moment
    threads = [threading.Thread(target=assign, args=(a,)) for a in unplaced]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one is placed and the other is told the position is full
    assert sorted(outcomes, key=len) == [
        "placed",
        "「无锡海溪防腐设备有限公司 · 仓库管理助理」已满员（1/1），请先调出一名学生或选择其他岗位。",
    ]
    assert Position.objects.get(pk=wanted.pk).filled == 1
