"""Guided triage (issue 12): on a registered matter the bureau answers a few questions that lead to the one form
it needs (domain-rules §1.4–1.5, 条例第十九、二十、二十二、二十三、三十、三十六条); an experienced clerk picks any
form directly. Server-rendered steps: the path of answers is the `triage` query parameter (step keys joined by
“.”), so every step is a plain link (htmx swaps only the section)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xinfang.petitions import workflow

# The bureau's decisions on a registered matter, in the order of the direct choice.
ACTIONS = ("forward", "assign", "redirect_legal", "redirect_discipline", "redirect_other", "decline",
           "refuse_repeat", "report_major")  # fmt: skip
START = "start"


@dataclass(frozen=True)
class Step:
    question: object
    help: object
    answers: tuple[tuple[object, str], ...]  # (label, next step key or action)


STEPS: dict[str, Step] = {
    START: Step(_("所反映的是否属于信访事项？"),
                _("信访事项：采用信息网络、书信、电话、传真、走访等形式，反映情况，提出建议、意见或者投诉请求（条例第十七条）。"),
                ((_("是，属于信访事项"), "lawful"), (_("否，不属于本级信访部门处理"), "redirect_other"))),
    "lawful": Step(_("是否已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决，或属于人大、法院、检察院职权？"),
                   _("属于法定途径的，告知信访人向有权机关提出（条例第二十三条第一款、第三十一条）。"),
                   ((_("是，告知向有权机关提出"), "redirect_other"), (_("否"), "accusation"))),
    "accusation": Step(_("是否为检举控告（检举、揭发党员干部和公职人员违纪违法）？"),
                       _("属于纪检监察机关受理的检举控告，按管理权限转送纪检监察机关（条例第二十二条第二款、第三十条）。"),
                       ((_("是，转纪检监察机关"), "redirect_discipline"), (_("否"), "legal"))),
    "legal": Step(_("是否涉法涉诉（诉讼权利救济）？"),
                  _("涉法涉诉信件转送同级政法部门依法处理（条例第二十条第二款、第二十二条第二款）。"),
                  ((_("是，转政法部门"), "redirect_legal"), (_("否"), "elsewhere"))),
    "elsewhere": Step(_("同一事项是否已经受理或者正在办理，或者已经复核终结？"),
                      _("已受理或正在办理、信访人在规定期限内又向上级提出的，不予受理（条例第十九条第三款）；"
                        "复核终结后仍以同一事实和理由提出的，不再受理（条例第三十六条第三款）。"),
                      ((_("已受理或正在办理，在办理期限内又提出：不予受理"), "decline"),
                       (_("已复核终结，仍以同一事实和理由提出：不再受理"), "refuse_repeat"),
                       (_("否"), "major"))),
    "major": Step(_("是否重大、紧急，需要报请本级党委和政府决定？"),
                  _("重大、紧急的及时提出建议，报请决定（条例第二十二条第一项、第二十五条）。"),
                  ((_("是，报请决定"), "report_major"), (_("否，选择有权处理的单位"), "unit"))),
    "unit": Step(_("是否需要责任单位在指定期限内反馈办理结果、提交办结报告？"),
                 _("转送有权处理的机关、单位；重要情况需要反馈办理结果的，可以交办（条例第二十二条第一至三项）。"),
                 ((_("否，转送"), "forward"), (_("是，交办"), "assign"))),
}  # fmt: skip

# Initial values of a form reached through an answer that already says which reason applies.
INITIAL = {"decline": {"reason": "pending_elsewhere"}}


def parse(raw: str) -> list[str]:
    """The valid path of the `triage` parameter (each key reached by an answer of the previous step)."""
    path = [START]
    for key in (raw or "").split(".")[1:] if (raw or "").startswith(START) else []:
        if key not in {target for _label, target in STEPS[path[-1]].answers}:
            break
        path.append(key)
        if key not in STEPS:  # an action: the end of the path
            break
    return path


def guide(raw: str, available: list[dict]) -> dict:
    """The guided choice for the path `raw`, given the triage forms the user may submit now (dicts of
    views._action_forms): the steps answered, the current question or the one form, and the other forms."""
    forms = {a["action"]: a for a in available}
    direct = raw in forms  # picked directly: ?triage=<action>
    path = [raw] if direct else parse(raw)
    done = []
    for i, key in enumerate(path[:-1]):
        chosen = next(label for label, target in STEPS[key].answers if target == path[i + 1])
        done.append({"question": STEPS[key].question, "answer": chosen, "href": ".".join(path[: i + 1])})
    current = path[-1]
    chosen = forms.get(current)
    if chosen is not None:
        for name, value in INITIAL.get(current, {}).items():
            if not chosen["form"].is_bound:
                chosen["form"].initial[name] = value
    step = STEPS.get(current)
    answers = (
        [{"label": label, "href": ".".join([*path, target])} for label, target in step.answers]
        if step
        else []
    )
    return {
        "done": done,
        "step": step,
        "answers": answers,
        "form": chosen,
        "unavailable": workflow.BY_ACTION[current].label if current not in STEPS and chosen is None else "",
        "direct": [a for a in available if a is not chosen],
        "started": len(path) > 1 or direct,
    }
