"""State machines declared once: the page, the queues, 「我的工作」, the API and the service all ask here.

A ``Workflow`` is the list of ``Transition``s of one model's status field. A
transition is declared once — its name and label, the states it starts from, the
state it leads to, the roles that may take it (held at the object's union or a
union above it), and two kinds of rule, each a function ``(obj, user) -> None |
refusal sentence``:

- ``duties``: *who* may take it (separation of duties, assignment to an
  organisation). A refused duty hides the action: it is not this user's to take.
- ``guards``: *when* it may be taken (dates, a visit recorded, data complete). A
  refused guard shows the action greyed out with the sentence as the reason.

The same declaration answers both questions:

- ``available_actions(obj, user)`` → the ``Action``s this user sees on this object
  now (name, label, allowed, reason), for pages, queues, 「我的工作」 and the API;
- ``check(obj, user, name)`` → the ``Transition`` (its ``target`` is the new
  state), or ``ActionRefused`` carrying the Chinese sentence shown to the user. A
  service calls it after ``select_for_update`` and before it writes, so the
  decision is taken on the locked row.

Queues and counts cannot ask row by row, so a rule may also carry its queryset
form: ``@rule(q=lambda user: ~Q(submitted_by=user))`` on the same function, and
``workflow.q_for(user, *names)`` is the ``Q`` of the rows on which the user may
take one of ``names`` (states, roles at the union, the rules' ``q``) — the queue
is then the same declaration read another way.

Example (``programs/assistance/workflow.py``)::

    batch_workflow = register(Workflow("batch", model=PaymentBatch, subject=_("该批次"), transitions=[
        Transition("approve", _("审批通过"), sources=(B.COMPUTED,), target=B.APPROVED,
                   roles=(Role.FUND_APPROVER,), duties=(not_the_computer,), guards=(has_payments,)),
    ]))
    step = batch_workflow.check(batch, actor, "approve")   # in the service, on the locked row
    batch.status = step.target

Why a module of our own and not django-fsm-2: its transitions are methods on the
model whose conditions return only True/False, so the sentence a user must read
("您是本案的提交人，不能同时进行初审。") would live in a second place; its
``get_available_user_*_transitions`` checks a Django permission, not a role held
at a union above the object; and its ``@transition`` writes the field in memory
with no hook for ``select_for_update`` — the row lock, the audit event and
``update_fields`` would still be the service's, i.e. everything but the map. What
remains of the library is a protected field, which a DB-level rule and a read-only
admin give us too. Two hundred lines we own beat an adapter around its gaps.

Every machine registers itself in ``REGISTRY`` (``register``) when its module is
imported; ``machines()`` imports every ``workflow.py`` of the installed project
apps (one and two levels deep) first, so a test generated from the declarations
(tests/workflow/test_consistency.py) picks up a machine added later by itself; it
fails, naming the machine, until ``tests/workflow/harness_<name>.py`` says how to
build an object in each state, who the personas are and how to call each action's
service (see that test's docstring).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import root_unions, scope_unions
from .models import Role

Rule = Callable[[Any, Any], "str | None"]


def rule(*, q: Callable[[Any], Q] | None = None):
    """Give a rule its queryset form, ``q(user) -> Q``, so that queues filter by the same rule."""

    def decorate(function: Rule) -> Rule:
        function.q = q
        return function

    return decorate


class ActionRefused(PermissionDenied, ValidationError):
    """The user may not take this action on this object now; ``message`` is the sentence to show.

    The one exception for "not allowed now" — wrong state, no role there, a duty
    or a guard, or input the action cannot take. Views catch this one type. It is
    a ``PermissionDenied`` so that an uncaught refusal is a 403 (Django and DRF),
    and a ``ValidationError`` so that ``form.add_error(None, exc)`` and
    ``exc.messages`` keep working where a form shows it.
    """

    def __init__(self, message, code: str = "refused", params=None):
        ValidationError.__init__(self, message, code=code, params=params)

    def __str__(self) -> str:
        return str(self.messages[0])


@dataclass(frozen=True)
class Transition:
    """One action of a state machine. ``target=None`` means the state does not change."""

    name: str
    label: Any  # a lazy gettext string
    sources: tuple[str, ...]
    target: str | None
    roles: tuple[str, ...]
    duties: tuple[Rule, ...] = ()
    guards: tuple[Rule, ...] = ()

    def target_of(self, state: str) -> str:
        return state if self.target is None else self.target


@dataclass(frozen=True)
class Action:
    """What a page shows for one transition: a button, greyed out with ``reason`` unless ``allowed``."""

    name: str
    label: Any
    allowed: bool
    reason: str = ""


def _default_union(obj):
    return obj.union


@dataclass
class Workflow:
    """The transitions of one model's state field.

    ``subject`` names the object in the refusals ("该案件", "该批次");
    ``union`` returns the union whose scope the roles are checked against, and
    ``union_field`` is the same as a queryset lookup.
    """

    name: str
    model: type
    transitions: Sequence[Transition]
    subject: Any = field(default_factory=lambda: gettext_lazy("该记录"))
    state_field: str = "status"
    union: Callable[[Any], Any] = _default_union
    union_field: str = "union"

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.transitions}
        if len(self.by_name) != len(self.transitions):
            raise ValueError(f"workflow {self.name}: two transitions share a name")
        choices = {value for value, _label in self.model._meta.get_field(self.state_field).choices}
        for transition in self.transitions:
            unknown = set(transition.sources) - choices | ({transition.target} - choices - {None})
            if unknown:
                raise ValueError(f"workflow {self.name}.{transition.name}: unknown states {sorted(unknown)}")

    @property
    def states(self) -> list[str]:
        return [value for value, _label in self.model._meta.get_field(self.state_field).choices]

    def transition(self, name: str) -> Transition:
        return self.by_name[name]

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role some transition names: who acts on this machine at all (in the order of ``Role``)."""
        named = {role for transition in self.transitions for role in transition.roles}
        return tuple(role for role in Role.values if role in named)

    # The two questions.

    def available_actions(self, obj, user, names: Iterable[str] | None = None) -> list[Action]:
        """The actions ``user`` sees on ``obj`` now, in declaration order (``names`` narrows them)."""
        wanted = set(names) if names is not None else None
        answers: dict = {}  # a rule shared by several transitions is asked once
        actions = []
        state = getattr(obj, self.state_field)
        for transition in self.transitions:
            if wanted is not None and transition.name not in wanted:
                continue
            # Not from this state: hidden, without building the refusal's sentence (most transitions, on every page).
            if state not in transition.sources or self._hidden(obj, user, transition, answers) is not None:
                continue
            reason = _first_refusal(transition.guards, obj, user, answers)
            actions.append(Action(transition.name, transition.label, reason is None, str(reason or "")))
        return actions

    def check(self, obj, user, name: str) -> Transition:
        """The transition ``name`` if ``user`` may take it on ``obj`` now; else ``ActionRefused``.

        Call it on the row the service has just locked.
        """
        transition = self.by_name[name]
        refusal = self._hidden(obj, user, transition) or _first_refusal(transition.guards, obj, user)
        if refusal is not None:
            raise ActionRefused(refusal)
        return transition

    def allowed(self, obj, user, name: str) -> bool:
        try:
            self.check(obj, user, name)
        except ActionRefused:
            return False
        return True

    def q_for(self, user, *names: str) -> Q:
        """The rows on which ``user`` may take one of ``names``: their states, the roles' unions, the rules' ``q``.

        Rules without a ``q`` (a visit recorded, a date) are not applied: a queue
        lists what is waiting for the user, the page then says what it waits on.
        """
        condition = Q(pk__in=[])
        for name in names:
            transition = self.by_name[name]
            unions = scope_unions(user, transition.roles).values("pk") if transition.roles else []
            one = Q(**{f"{self.state_field}__in": transition.sources, f"{self.union_field}__in": unions})
            for duty in (*transition.duties, *transition.guards):
                if getattr(duty, "q", None) is not None:
                    one &= duty.q(user)
            condition |= one
        return condition

    def holds(self, user, roles: tuple[str, ...], obj) -> bool:
        """Whether ``user`` holds one of ``roles`` for ``obj``: at its union or above (a machine may widen it)."""
        return holds_role_over(user, roles, self.union(obj))

    # The checks, in the order a user would want to hear them.

    def _hidden(self, obj, user, transition: Transition, answers: dict | None = None) -> str | None:
        state = getattr(obj, self.state_field)
        if state not in transition.sources:
            return _("%(o)s当前状态为“%(s)s”，不能%(a)s。可能已由他人处理，请刷新页面后查看。") % {
                "o": self.subject,
                "s": getattr(obj, f"get_{self.state_field}_display")(),
                "a": transition.label,
            }
        if not self.holds(user, transition.roles, obj):
            return _("您在%(o)s所属工会没有“%(a)s”的权限。") % {"o": self.subject, "a": transition.label}
        return _first_refusal(transition.duties, obj, user, answers)


def _first_refusal(rules: Iterable[Rule], obj, user, answers: dict | None = None) -> str | None:
    answers = {} if answers is None else answers
    for each in rules:
        if each not in answers:
            answers[each] = each(obj, user)
        if answers[each]:
            return answers[each]
    return None


def holds_role_over(user, roles: Iterable[str], union) -> bool:
    """Whether ``user`` holds one of ``roles`` at ``union`` or a union above it (the cached assignments: no query)."""
    if union is None:
        return False
    return any(union.path.startswith(root.path) for root in root_unions(user, roles))


# The registry.

REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    if REGISTRY.get(workflow.name, workflow) is not workflow:
        raise ValueError(f"two workflows are named {workflow.name}")
    REGISTRY[workflow.name] = workflow
    return workflow


def machines() -> list[Workflow]:
    """Every declared state machine, after importing each project app's ``workflow.py`` modules."""
    for config in apps.get_app_configs():
        root = Path(config.path)
        if not (root / "apps.py").exists() or ".venv" in root.parts or "site-packages" in root.parts:
            continue
        for path in [root / "workflow.py", *root.glob("*/workflow.py")]:
            if path.exists() and "migrations" not in path.parts:
                relative = path.relative_to(root).with_suffix("")
                importlib.import_module(".".join([config.name, *relative.parts]))
    return list(REGISTRY.values())


def workflow_for(obj) -> Workflow:
    """The one machine declared for ``obj``'s model (a reader outside the app, e.g. the API, asks this)."""
    found = [w for w in REGISTRY.values() if isinstance(obj, w.model)] or [
        w for w in machines() if isinstance(obj, w.model)
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} workflows are declared for {type(obj).__name__}")
    return found[0]


def available_actions(obj, user, names: Iterable[str] | None = None) -> list[Action]:
    return workflow_for(obj).available_actions(obj, user, names)


def check(obj, user, name: str) -> Transition:
    return workflow_for(obj).check(obj, user, name)
