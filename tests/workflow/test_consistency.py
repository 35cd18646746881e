"""Generated from the declarations: for every state machine, every state, every action and every persona,
the actions the pages offer are exactly the actions the services accept.

Each machine registered in ``hardship.workflow`` (found by ``machines()``) needs a harness,
``tests/workflow/harness_<machine name>.py``, with:

- ``build(tree) -> (objects, personas)``: ``objects`` a list of (label, obj) covering every state of
  the machine (more than one per state where a guard splits it); ``personas`` a dict name → user
  covering each role at the object's own, a parent and a sibling union, and the duty cases;
- ``offered(obj, user) -> set[str]``: the action names the pages offer (read from the rendered HTML,
  or the selector the template renders);
- ``CALLS``: action name → ``call(obj, user)`` that runs the action's service with valid input, so
  that only the workflow can refuse it. Each call runs in a savepoint that is rolled back.

It prints ``workflow consistency: N cases, M mismatches`` and fails on any mismatch.
"""

import importlib

import pytest
from django.db import transaction

from hardship.workflow import ActionRefused, machines

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def _accepted(call, obj, user) -> bool:
    try:
        with transaction.atomic():
            call(obj, user)
            raise _RolledBack
    except _RolledBack:
        return True
    except ActionRefused:
        return False


def _harness(name: str):
    try:
        return importlib.import_module(f"tests.workflow.harness_{name}")
    except ModuleNotFoundError:
        return None


def test_every_machine_has_a_harness():
    missing = [m.name for m in machines() if _harness(m.name) is None]

    assert "household_review" in {m.name for m in machines()}
    assert not missing, f"no tests/workflow/harness_<name>.py for: {', '.join(missing)}"


def test_the_pages_offer_exactly_what_the_services_accept(tree, capsys):
    cases, mismatches = 0, []
    for machine in machines():
        harness = _harness(machine.name)
        if harness is None:
            continue  # test_every_machine_has_a_harness fails for it
        assert set(harness.CALLS) == set(machine.by_name), f"{machine.name}: CALLS must name every action"
        objects, personas = harness.build(tree)
        covered = {getattr(obj, machine.state_field) for _label, obj in objects}
        assert covered == set(machine.states), f"{machine.name}: no object in {set(machine.states) - covered}"
        for label, obj in objects:
            for persona, user in personas.items():
                offered = harness.offered(obj, user)
                for transition in machine.transitions:
                    cases += 1
                    accepted = _accepted(harness.CALLS[transition.name], obj, user)
                    if (transition.name in offered) != accepted:
                        mismatches.append(
                            f"{machine.name} · {label} · {persona} · {transition.name}: "
                            f"page {'offers' if transition.name in offered else 'hides'}, "
                            f"service {'accepts' if accepted else 'refuses'}"
                        )
    with capsys.disabled():
        print(f"\nworkflow consistency: {cases} cases, {len(mismatches)} mismatches")
        for line in mismatches[:40]:
            print("  " + line)

    assert not mismatches
