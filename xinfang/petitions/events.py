"""The one mapping from an event kind (`Event.kind`, "noun:verb") to the Chinese words a person reads.

A transition's event is `matter:<action>` and reads as the transition's label (workflow.TRANSITIONS); every
other kind the services write is named here. tests/petitions/test_event_labels.py fails when a service writes a
kind that has no label."""

from django.utils.translation import gettext_lazy as _

from xinfang.petitions import workflow

# Events that change no state, by the module that writes them.
EVENT_LABELS = {
    # services.py
    "matter:registered": _("登记"),
    "matter:received": _("网上提交（待登记）"),
    "registration:repeat": _("重复件登记（并入本事项）"),
    "registration:no_longer_accepted": _("重复件登记，不再受理"),
    "registration:not_accepted": _("重复件登记，不予受理（原事项正在办理）"),
    "matter:accused_set": _("填写或更正被检举对象"),
    "matter:hearing_recorded": _("登记复核听证"),
    "matter:handler_assigned": _("指定承办人"),
    "matter:recusal": _("回避"),
    "extension:request": _("申请延期"),
    "extension:refuse": _("不予批准延期"),
    "matter:follow_up": _("回访"),
    "matter:registration_corrected": _("更正登记内容"),
    "matter:merged_into": _("并入其他事项（合并）"),
    "matter:merged": _("合并：其他事项并入本事项"),
    "registration:joined": _("网上信访件作为重复件并入本事项"),
    "matter:unmerged": _("撤销合并，恢复为独立事项"),
    "matter:merge_undone": _("撤销合并：并入的事项已移出"),
    # citizens.py
    "evaluation:submitted": _("信访人满意度评价"),
    "matter:information_added": _("信访人补充材料"),
    # programs.py
    "matter:leader_reception": _("领导接访"),
    "matter:owned": _("领导包案"),
    "matter:instruction": _("领导批示"),
    "campaign:listed": _("列入积案化解"),
    "campaign:progress": _("积案化解进展"),
    "dispute:converted": _("矛盾纠纷转为信访事项"),
    "dispute:linked": _("关联矛盾纠纷"),
    "meeting:deliberated": _("联席会议研判"),
    "assistance:applied": _("申请专项资金救助"),
    "assistance:decided": _("专项资金救助审批"),
    "assistance:paid": _("专项资金救助拨付"),
    # clusters.py
    "cluster:handed_over": _("苗头性问题交办（联席会议或积案化解）"),
    # legacy.py
    "matter:import_legacy": _("由历史登记表导入（已办结）"),
    # supervision.py
    "supervision:issued": _("下发督办"),
    "supervision:follow_up": _("督办跟进"),
    "supervision:answered": _("督办反馈"),
    "supervision:closed": _("督办办结"),
}


def kind_label(kind: str) -> str:
    """The Chinese label of an event kind; a kind without one reads as “其他记录” rather than as code."""
    if kind.startswith("matter:") and kind.removeprefix("matter:") in workflow.BY_ACTION:
        return workflow.BY_ACTION[kind.removeprefix("matter:")].label
    return str(EVENT_LABELS.get(kind, _("其他记录")))


def event_label(event) -> str:
    """The label of one Event row (its transition's label when it records one)."""
    if event.action and event.action in workflow.BY_ACTION:
        return workflow.BY_ACTION[event.action].label
    return kind_label(event.kind)
