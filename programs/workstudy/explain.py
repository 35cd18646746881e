"""Words for a matching result: why a student got the position they got, or none.

The matching stores codes (``Application.result_detail``); the sentence is made
when the page is shown, so it follows the language switch.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import matching
from .models import Application, Result

# Why a student takes no part at all (set by the service before the matcher runs).
UNDER_AGE = "under_age"
NOT_FILED = "not_filed"
NOT_STUDENT = "not_student"
NO_PREFERENCES = "no_preferences"


def group_label(group: int | None) -> str:
    labels = {
        0: _("特困"),
        1: _("深度困难"),
        2: _("相对困难"),
        3: _("意外致困及其他"),
        4: _("优秀学生"),
    }
    return labels.get(group, "—") if group is not None else "—"


def reason_text(code: str, detail: dict) -> str:
    age, min_age = detail.get("age"), detail.get("min_age")
    texts = {
        matching.FULL_HIGHER: _("已被困难等级更高的学生占满"),
        matching.FULL_SAME: _("已满员（同一困难等级按本期公开抽签顺序录取在前的学生）"),
        matching.NO_PLACES: _("岗位招收人数为 0"),
        matching.ADULTS_ONLY: _("岗位不招收未成年人（本期开始日时 %(age)s 周岁）") % {"age": age},
        matching.TOO_YOUNG: _("未达到岗位最低年龄"),
        matching.SCHOOL_LEVEL: _("就学阶段不符合岗位要求"),
        matching.UNAVAILABLE: _("岗位已撤回"),
        UNDER_AGE: _("未满 %(min)s 周岁（本期开始日时 %(age)s 周岁）") % {"min": min_age, "age": age},
        NOT_FILED: _("家庭档案当前不在“已建档”状态"),
        NOT_STUDENT: _("该成员在家庭档案中已不是在校学生"),
        NO_PREFERENCES: _("没有填报志愿"),
    }
    return texts.get(code, code)


def explain(application: Application) -> str:
    """One or two sentences for the result page and the student's detail page."""
    detail = application.result_detail or {}
    if application.result == Result.PENDING:
        return _("尚未参加匹配。")
    if application.result == Result.EXCLUDED:
        return _("不参加本期匹配：%(why)s。") % {"why": reason_text(detail.get("excluded", ""), detail)}
    passed = detail.get("passed_over", [])
    if detail.get("manual"):
        if application.result == Result.PLACED:
            return _("由工作人员人工安排（%(rank)s）。") % {"rank": _rank_words(detail.get("rank"))}
        return _("已由工作人员人工取消安排。")
    if application.result == Result.PLACED:
        rank = detail.get("rank")
        if not passed:
            return _("按第 %(rank)s 志愿安排。") % {"rank": rank}
        return _("按第 %(rank)s 志愿安排；更靠前的志愿：%(why)s。") % {
            "rank": rank,
            "why": _passed_words(passed, detail),
        }
    # Unplaced: say it in one phrase when every listed position had the same reason.
    reasons = {item["reason"] for item in passed}
    if reasons == {matching.FULL_HIGHER}:
        return ngettext(
            "所填 %(n)d 个岗位已被困难等级更高的学生占满。",
            "所填 %(n)d 个岗位均已被困难等级更高的学生占满。",
            len(passed),
        ) % {"n": len(passed)}
    if len(reasons) == 1 and len(passed) > 1:
        return _("所填 %(n)d 个岗位均%(why)s。") % {"n": len(passed), "why": reason_text(reasons.pop(), detail)}
    return _("未能安排：%(why)s。") % {"why": _passed_words(passed, detail)}


def _rank_words(rank) -> str:
    return _("第 %(rank)s 志愿") % {"rank": rank} if rank else _("志愿以外的岗位")


def _passed_words(passed: list[dict], detail: dict) -> str:
    return "；".join(
        _("第 %(rank)s 志愿「%(label)s」%(why)s")
        % {"rank": item["rank"], "label": item["label"], "why": reason_text(item["reason"], detail)}
        for item in passed
    )
