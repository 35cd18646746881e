"""Every task the portal sends goes through ``hardship.tasks.enqueue``: a broker or result store
that fails, whichever way, gives the page its 待计算 notice and keeps the change; it is never a 500.

The send is replaced by one that raises what a dead Redis raises; the real outage (Redis stopped
and restarted, with the time it takes) is in tests/hardening/test_faults.py.
"""

import re
from pathlib import Path

import pytest
import redis.exceptions
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from cases.models import HardshipStandard
from hardship import tasks as hardship_tasks
from hardship.models import Role
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch
from tests.cases.conftest import WUXI
from tests.factories import user_with_role

# Real commits: the page reads what the on_commit send reported, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
BROKER_DOWN = "计算尚未开始。服务恢复后请在本页点击“重新计算”"

# What a send raised here with Redis stopped, unreachable or restarting.
FAILURES = [
    BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError("timed out"),
    RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store backend."),
]


@pytest.fixture
def centre(tree):
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    seed_programs(union=tree["city"])
    return user_with_role(Role.CENTRE_STAFF, tree["city"], username="zhoumin")


@pytest.fixture
def broker_fails(monkeypatch):
    sent = []

    def fail_with(exc):
        def send(task, args, kwargs):
            sent.append(task.name)
            raise exc

        monkeypatch.setattr(hardship_tasks, "_send", send)
        return sent

    return fail_with


@pytest.mark.parametrize("failure", FAILURES, ids=lambda exc: type(exc).__name__)
def test_starting_a_batch_with_the_broker_failing_saves_it_as_pending_with_the_notice(
    client, tree, centre, broker_fails, failure
):
    sent = broker_fails(failure)
    client.force_login(centre)

    response = client.post(
        reverse("programs:batch_start"),
        {"union": tree["city"].pk, "period": "2026-Q2", "confirm": "True", "late": "on"},
    )

    batch = Batch.objects.get()
    assert sent == ["programs.assistance.tasks.compute_batch"]  # the fault was injected
    assert response.status_code == 302 and response.url == reverse("programs:batch_detail", args=[batch.pk])
    assert BROKER_DOWN in client.get(response.url).content.decode()
    assert batch.status == Batch.Status.PENDING and not batch.lock_token


def test_recomputing_with_the_broker_failing_shows_the_notice(client, tree, centre, broker_fails):
    batch = Batch.objects.create(union=tree["city"], period="2026-Q2", created_by=centre)
    broker_fails(RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store backend."))
    client.force_login(centre)

    response = client.post(reverse("programs:batch_recompute", args=[batch.pk]), follow=True)

    assert response.status_code == 200 and BROKER_DOWN in response.content.decode()
    assert Batch.objects.get().status == Batch.Status.PENDING


def test_a_standard_in_force_today_is_saved_with_a_warning_when_the_re_tiering_cannot_be_queued(
    client, tree, centre, broker_fails
):
    from django.utils import timezone

    sent = broker_fails(BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused."))
    client.force_login(centre)
    data = {"union": tree["city"].pk, "effective_from": timezone.localdate().isoformat(), "dibao_monthly": "1230",
            "extreme_line_monthly": "1500", "deep_multiple": "1", "relative_multiple": "2",
            "sudden_cost_ratio": "0.8", "minimum_wage_monthly": "2490", "note": "测试", "confirm": "1"}  # fmt: skip

    response = client.post(reverse("cases:standard_create"), data, follow=True)

    assert sent == ["cases.tasks.apply_standard"]
    assert response.status_code == 200
    assert "各户的困难类别尚未重新认定" in response.content.decode()
    assert HardshipStandard.objects.filter(effective_from=timezone.localdate()).exists()


def test_an_error_that_is_not_the_brokers_is_not_hidden(tree, centre, broker_fails):
    broker_fails(TypeError("compute_batch() takes 1 positional argument but 2 were given"))

    with pytest.raises(TypeError):
        hardship_tasks.enqueue(hardship_tasks.ping, "token")


def test_every_task_is_sent_through_the_one_helper():
    """A `.delay(`, `.apply_async(` or `send_task(` anywhere else would bypass the outage handling."""
    send = re.compile(r"\.(delay|apply_async|send_task)\(")
    sends = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {".venv", "tests", "node_modules"}
        for line in path.read_text(encoding="utf-8").splitlines()
        if send.search(line)
    ]
    assert sends == ["hardship/tasks.py"]
