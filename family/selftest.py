"""困难自测: the tier a household would get, computed by the files' own rule (cases.tiers.compute_tier) under
the standard in force at the chosen union — nothing stored, nothing signed in."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import SERIOUS_HEALTH, Disability, Tier
from cases.selectors import standard_in_force
from cases.tiers import MemberFacts, TierResult, compute_tier
from hardship.dates import add_months
from hardship.money import money


@dataclass(frozen=True)
class SelfTestMember:
    age: int
    work_status: str
    health: str
    disability: str
    annual_income: Decimal


@dataclass
class SelfTestResult:
    standard: object
    result: TierResult | None
    members: int
    rigid_expenses: Decimal
    rules: list[str] = field(default_factory=list)
    bring: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return Tier(self.result.tier).label if self.result else ""

    @property
    def qualifies(self) -> bool:
        return bool(self.result) and self.result.tier != Tier.NONE


def self_test(*, union, members: list[SelfTestMember], expenses: dict[str, Decimal], sudden_event_cost: Decimal):
    today = timezone.localdate()
    standard = standard_in_force(union=union, on=today)
    rigid = sum(expenses.values(), Decimal("0"))
    outcome = SelfTestResult(standard=standard, result=None, members=len(members), rigid_expenses=rigid)
    if standard is None or not members:
        return outcome
    facts = [MemberFacts(add_months(today, -12 * m.age), m.work_status, m.health, m.disability) for m in members]
    outcome.result = compute_tier(
        recorded_income=sum((m.annual_income for m in members), Decimal("0")), rigid_expenses=rigid,
        sudden_event_cost=sudden_event_cost, members=facts, standard=standard, on=today,
    )  # fmt: skip
    outcome.rules = rules_in_words(standard)
    outcome.bring = what_to_bring(members, expenses, sudden_event_cost)
    return outcome


def rules_in_words(standard) -> list[str]:
    d = standard.dibao_monthly
    rules = [
        _("人均月收入 =（家庭近一年总收入 − 看病、残疾康复、上学、住房等刚性支出）÷ 12 ÷ 家庭人口。"),
        _("18 至 60 岁、能工作但没有工作的家人，按当地最低工资 %(w)s 元/月计算收入。")
        % {"w": standard.minimum_wage_monthly},
    ]
    if standard.extreme_line_monthly is not None:
        rules.append(_("特困：人均月收入低于 %(x)s 元。") % {"x": standard.extreme_line_monthly})
    rules += [
        _("深度困难：人均月收入低于 %(x)s 元（低保 %(d)s 元的 %(m)s 倍）。")
        % {"x": money(d * standard.deep_multiple), "d": d, "m": standard.deep_multiple},
        _("相对困难：人均月收入低于 %(x)s 元（低保的 %(m)s 倍）。")
        % {"x": money(d * standard.relative_multiple), "m": standard.relative_multiple},
        _("意外致困：灾害、事故、重病的花费超过家庭年收入的 %(p)s%%。") % {"p": int(standard.sudden_cost_ratio * 100)},
        _("有两套以上住房、有车（残疾人代步车除外）、开办公司的，一般不能认定。"),
    ]
    return rules


def what_to_bring(members: list[SelfTestMember], expenses: dict, sudden_event_cost: Decimal) -> list[str]:
    bring = [
        _("全家人的身份证和户口本"),
        _("近一年的收入证明（工资单、退休金、失业证明等）"),
        _("每位家庭成员签字的《家庭经济状况核对授权书》"),
        _("本人名下的银行卡"),
    ]
    if expenses.get("expense_medical") or any(m.health in SERIOUS_HEALTH for m in members):
        bring.append(_("病历、诊断证明和医疗费用单据"))
    if expenses.get("expense_disability") or any(m.disability != Disability.NONE for m in members):
        bring.append(_("残疾证"))
    if expenses.get("expense_schooling"):
        bring.append(_("孩子的在读证明和学费单据"))
    if sudden_event_cost:
        bring.append(_("灾害、事故的证明和花费单据"))
    return bring
