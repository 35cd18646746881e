"""The workflow mechanism: one declaration answers the page and the service with the same sentence."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Household, Status
from hardship.models import Role
from hardship.workflow import ActionRefused, Transition, Workflow
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _not_the_creator(household, user):
    return "您建立了本档，不能自己审核。" if household.created_by_id == user.pk else None


def _has_address(household, user):
    return None if household.address else "请先填写家庭住址。"


TOY = Workflow(
    "toy",
    model=Household,
    subject=_("该案件"),
    transitions=[
        Transition("send", _("提交申请"), sources=(Status.DRAFT,), target=Status.SUBMITTED,
                   roles=(Role.GRASSROOTS_STAFF,), duties=(_not_the_creator,), guards=(_has_address,)),
        Transition("note", _("记录"), sources=(Status.DRAFT, Status.SUBMITTED), target=None,
                   roles=(Role.CENTRE_STAFF,)),
    ],
)  # fmt: skip


@pytest.fixture
def household(tree):
    return Household(union=tree["company"], status=Status.DRAFT, address="西漳村 12 号", head_name="蒋建华")


def test_a_role_at_a_parent_union_may_act_and_a_sibling_may_not(tree, household):
    parent = user_with_role(Role.GRASSROOTS_STAFF, tree["huishan"])
    sibling = user_with_role(Role.GRASSROOTS_STAFF, tree["binhu"])

    assert TOY.check(household, parent, "send").target == Status.SUBMITTED
    with pytest.raises(ActionRefused, match="所属工会没有“提交申请”的权限"):
        TOY.check(household, sibling, "send")
    assert [a.name for a in TOY.available_actions(household, sibling)] == []


def test_a_wrong_state_is_refused_with_the_current_state_in_the_sentence(tree, household):
    household.status = Status.FILED
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])

    with pytest.raises(ActionRefused) as refused:
        TOY.check(household, user, "send")

    assert str(refused.value) == "该案件当前状态为“已建档”，不能提交申请。可能已由他人处理，请刷新页面后查看。"


def test_a_refused_duty_hides_the_action_and_a_refused_guard_greys_it_out_with_the_reason(tree, household):
    creator = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    household.created_by = creator
    other = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])

    assert TOY.available_actions(household, creator) == []
    with pytest.raises(ActionRefused, match="不能自己审核"):
        TOY.check(household, creator, "send")

    household.address = ""
    (action,) = TOY.available_actions(household, other)
    assert (action.name, action.allowed, action.reason) == ("send", False, "请先填写家庭住址。")
    with pytest.raises(ActionRefused, match="请先填写家庭住址"):
        TOY.check(household, other, "send")


def test_a_transition_without_target_keeps_the_state(tree, household):
    centre = user_with_role(Role.CENTRE_STAFF, tree["city"])

    assert TOY.check(household, centre, "note").target_of(household.status) == Status.DRAFT


def test_the_refusal_is_one_type_that_forms_and_the_403_handler_both_understand():
    refused = ActionRefused("不能。")

    assert isinstance(refused, PermissionDenied) and isinstance(refused, ValidationError)
    assert refused.messages == ["不能。"] and str(refused) == "不能。"


def test_a_declaration_naming_an_unknown_state_fails_at_import():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow("bad", model=Household, transitions=[Transition("x", "x", ("nope",), None, ())])
