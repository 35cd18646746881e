"""The household file's audit verbs and change keys in words (registered in hardship.audit_words)."""

from django.utils.translation import gettext_lazy as _

from hardship.audit_words import ChangeLabel, codes_in_words, model_field, register_change_keys, register_keys
from hardship.audit_words import register_verbs as register

from .archive.workflow import destruction_workflow
from .models import Cause, Household
from .review.workflow import review_workflow

VERBS = {
    "household.create": _("建立档案"),
    "household.update": _("修改档案"),
    "household.contact": _("修改联系电话/住址"),
    "household.attachment_add": _("上传证明材料"),
    "household.unmask": _("查看明文"),
    "household.import": _("Excel 导入"),
    "household.generate": _("批量生成"),
    "household.export": _("导出档案"),
    "household.bank_account": _("更正收款账户"),
    "household.demo_filed": _("演示数据：直接建档"),
    "household.admin_correct": _("系统管理员更正"),
    "household.income_migrated": _("收入改为按成员记录（数据迁移）"),
    "household.retier": _("按新标准重新认定"),
    "change.propose": _("填写变更申请"),
    "change.submit": _("提交变更申请"),
    "change.withdraw": _("撤回变更申请"),
    "change.approve": _("变更申请批准生效"),
    "change.reject": _("变更申请不予批准"),
    "standard.create": _("新增认定标准"),
    "standard.apply": _("按新标准批量重新认定"),
    "xcheck.consent": _("登记核对授权书"),
    "xcheck.request": _("发起信息比对"),
    "xcheck.request_download": _("下载比对申请文件"),
    "xcheck.results": _("上传比对结果"),
    "xcheck.flag": _("信息比对发现疑点"),
    "xcheck.confirm": _("确认比对疑点"),
    "xcheck.dismiss": _("排除比对疑点"),
    "support.help": _("记录非现金帮扶"),
    "support.loan": _("登记创业贷"),
    "support.cover": _("办理互助保障参保"),
    "support.claim": _("登记互助保障赔付"),
    "ticket.submit": _("收到申诉/投诉/举报"),
    "ticket.assign": _("分派承办人"),
    "ticket.reply": _("答复申诉/投诉/举报"),
    "ticket.upheld": _("办结：成立"),
    "ticket.dismissed": _("办结：不成立"),
    "notice.template": _("修改通知模板"),
    "household.destroy": _("保存期满销毁（清除个人信息）"),
    "archive.search": _("按身份证号查询档案库"),
    "destruction.draft": _("生成档案销毁清单"),
    "household.register_import": _("存量档案导入（原系统已建档）"),
    "register.upload": _("上传存量导入文件"),
    "register.approve": _("批准存量导入入库"),
    "register.commit_again": _("重新入库存量导入"),
    "register.recheck": _("重新检查存量导入"),
    "register.import_drafts": _("确认导入新建档案"),
    "register.discard": _("作废存量导入"),
}
KEYS = {
    "by": _("提交人"),
    "attachment": _("证明材料"),
    "help": _("帮扶"),
    "loan": _("贷款金额（元）"),
    "cover": _("参保"),
    "claim": _("赔付"),
    "households": _("户数"),
    "members": _("人数"),
    "file": _("文件"),
    "seed": _("随机种子"),
    "standard_from": _("原认定标准"),
    "standard_to": _("新认定标准"),
    "changed": _("类别变化户数"),
    "request": _("变更申请"),
    "reason": _("原因"),
    "note": _("说明"),
    "text": _("意见"),
    "consent": _("授权成员"),
    "registries": _("比对部门"),
    "valid_until": _("有效期至"),
    "excluded": _("未授权排除人数"),
    "rows": _("行数"),
    "matched": _("匹配人数"),
    "flags": _("疑点数"),
    "flag": _("疑点"),
    "outcome": _("处理结果"),
    "ticket": _("工单"),
    "assigned_to": _("承办人"),
    "cutoff": _("截止日期"),
    "destruction_list": _("销毁清单"),
    "id_number": _("身份证号"),
    "register_file": _("导入文件"),
    "register_row": _("文件行号"),
    "uploaded_by": _("上传人"),
    "approved_by": _("批准人"),
    "error": _("错误"),
}
# Keys of a member's entry that are no Member field (members.张三.<attribute>).
MEMBER_EVENTS = {"added": _("新增成员"), "removed": _("移出成员")}
MEMBER_ATTRIBUTES = {
    "monthly_income": _("月收入"),  # before income was recorded by source
    "monthly_income_unrecorded": _("原填月收入（从未计入认定，请核实）"),
}


def household_key(key: str) -> ChangeLabel | None:
    if key.startswith("income."):  # a month's per-capita income
        return ChangeLabel(f"{key.removeprefix('income.')} {_('人均月收入')}")
    if key.startswith("members."):
        _prefix, name, attribute = (key.split(".", 2) + ["", ""])[:3]
        if attribute in MEMBER_EVENTS:
            return ChangeLabel(f"{MEMBER_EVENTS[attribute]} {name}")
        if attribute in MEMBER_ATTRIBUTES:
            return ChangeLabel(f"{name} · {MEMBER_ATTRIBUTES[attribute]}")
        field = model_field("cases.member", attribute)
        return ChangeLabel(f"{name} · {field.verbose_name if field else attribute}", field)
    if key == "secondary_causes":
        return ChangeLabel(Household._meta.get_field(key).verbose_name, words=codes_in_words(Cause.choices))
    if key == "tier_transitions":
        return ChangeLabel(_("类别变化"))
    return None


def register_all() -> None:
    register(VERBS)
    # The review chain's verbs are its transitions' labels, declared once in its workflow.
    register({f"review.{t.name}": t.label for t in review_workflow.transitions})
    register({f"destruction.{t.name}": t.label for t in destruction_workflow.transitions})
    register_keys(KEYS)
    register_change_keys("cases.household", household_key)
