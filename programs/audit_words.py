"""Programs' and money's audit verbs in words (registered in hardship.audit_words)."""

from django.utils.translation import gettext_lazy as _

from hardship.audit_words import register_keys, register_verbs

VERBS = {
    "batch.start": _("开始计算发放批次"),
    "batch.compute": _("发放批次计算完成"),
    "batch.recompute": _("重新计算发放批次"),
    "batch.approve": _("审批通过发放批次"),
    "batch.reject": _("驳回发放批次"),
    "batch.freeze": _("锁定发放批次收款人"),
    "batch.freeze_retry": _("重新锁定发放批次收款人"),
    "batch.bank_file": _("导出银行代发文件"),
    "batch.reconcile": _("导入银行回盘"),
    "batch.release_lock": _("解除批次计算锁"),
    "ledger.allocate": _("拨入资金"),
    "grant.apply": _("申请一次性救助"),
    "grant.approve": _("批准一次性救助"),
    "grant.reject": _("不批准一次性救助"),
    "grant.schedule": _("一次性救助纳入发放批次"),
    "grant.unschedule": _("一次性救助退出发放批次"),
    "program_standard.create": _("新增帮扶标准"),
    "reports.download": _("下载报表"),
    "recovery.raise": _("登记追回款"),
    "recovery.collect": _("收回追回款"),
    "recovery.propose_write_off": _("提出核销追回款"),
    "recovery.approve_write_off": _("批准核销追回款"),
    "recovery.reject_write_off": _("不予核销追回款"),
    # A payment in a file's history (programs.history), by where it stands.
    "payment.pending": _("发放：待审批"),
    "payment.approved": _("发放：已审批"),
    "payment.exported": _("发放：已报银行"),
    "payment.paid": _("发放：已到账"),
    "payment.failed": _("发放：失败"),
    "payment.cancelled": _("发放：已取消"),
    "payment.imported": _("发放：历史发放（存量导入）"),
    "workstudy.application.register": _("勤工助学报名"),
    "workstudy.enterprise.create": _("新增爱心企业"),
    "workstudy.enterprise.update": _("修改爱心企业"),
    "workstudy.season.create": _("新建勤工助学活动"),
    "workstudy.season.match": _("勤工助学匹配"),
    "workstudy.season.publish": _("公布勤工助学结果"),
    "workstudy.season.close": _("结束勤工助学活动"),
    "workstudy.position.create": _("发布勤工助学岗位"),
    "workstudy.position.update": _("修改勤工助学岗位"),
    "workstudy.position.withdraw": _("撤回勤工助学岗位"),
    "workstudy.placement.assign": _("安排勤工助学岗位"),
    "workstudy.placement.unassign": _("取消勤工助学安排"),
    "workstudy.placement.confirm": _("企业确认录用"),
    "workstudy.placement.earnings": _("登记勤工助学报酬"),
}
KEYS = {
    "grant": _("一次性救助"),
    "receivable": _("追回款"),
    "receivable_status": _("追回款状态"),
    "collected": _("收回金额（元）"),
    "outstanding": _("尚欠（元）"),
    "written_off": _("核销金额（元）"),
    "created": _("生成笔数"),
    "total_amount": _("合计金额（元）"),
    "bank": _("银行"),
    "rows": _("行数"),
    "format": _("格式"),
    "paid": _("成功笔数"),
    "failed": _("失败笔数"),
    "amount": _("金额（元）"),
    "report": _("报表"),
    "position": _("岗位"),
    "placements": _("安排人数"),
    "contacts": _("联系人账号"),
    "season": _("活动"),
    "min_age": _("最低年龄"),
    "payment": _("发放"),
    "payments": _("笔数"),
    "export": _("导出文件"),
}


def register_all() -> None:
    register_verbs(VERBS)
    register_keys(KEYS)
