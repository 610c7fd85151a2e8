from django.core.exceptions import PermissionDenied
from ninja import Router, Status

from xinfang.accounts.audit import log_audit
from xinfang.api import presenters
from xinfang.api.routes.common import actor, audited
from xinfang.api.schemas import ErrorOut, RegistrationIn, RegistrationOut, SimilarIn, SimilarOut
from xinfang.petitions import access, citizens, services, similar

router = Router(tags=["信访登记"])


@router.post(
    "/registrations",
    response={201: RegistrationOut, 403: ErrorOut, 422: ErrorOut},
    summary="登记信访件",
    description=(
        "登记来信、来电、来访、网上信访或上级交办件。新事项开始15日转送交办时限；"
        "填写 repeat_of（原事项编号）的重复件并入原事项，原事项已复核终结的答复“不再受理”并出具告知书。"
        "每次登记生成一个查询码（query_code），只在本应答中返回这一次，系统只保存其摘要；留有手机号码的，"
        "登记编号和查询码同时以短信发送给信访人。身份证号码、手机号码不合规时返回 422，不保存任何数据。"
    ),
)
def register(request, payload: RegistrationIn):
    data = payload.dict(exclude={"petitioners"})
    people = [services.PetitionerInput(**p.dict()) for p in payload.petitioners]
    registration, code = audited(  # personal data recorded
        request,
        lambda: citizens.register_incoming(services.PetitionInput(**data, petitioners=people), by=actor(request)),
        audit="registration:create", audit_obj=lambda done: done[0], within=citizens.removing_on_failure,
    )  # fmt: skip
    return Status(201, presenters.registration_created(registration, query_code=code))


@router.post(
    "/matters/similar",
    response={200: list[SimilarOut], 403: ErrorOut, 422: ErrorOut},
    summary="同人同事：疑似重复的事项",
    description=(
        "按拟登记信访件的内容、信访人（证件号码、手机、固定电话、姓名拼音）、问题属地、内容分类和被反映单位，"
        "返回可能为同一事项的已有事项，由高到低排列，附理由（同一证件号、同一电话、内容相似 87%、同乡镇同类别等）"
        "和登记为重复件时可选的处理方式。只是建议：是否为重复件由登记人员决定。结果限于调用者有权查看的事项，"
        "检举控告保密事项不列出。只有有权登记信访件的用户可以调用（否则 403）；每次查询记入审计日志。"
    ),
)
def similar_matters(request, payload: SimilarIn):
    user = actor(request)
    if not access.can_register(user):
        raise PermissionDenied("您的角色无权登记信访事项，不能查找疑似重复事项。")
    draft = similar.Draft(
        content="\n".join([payload.title, payload.content]), township=payload.township,
        content_class=payload.content_class, accused_unit=payload.accused_unit,
        petitioners=[similar.Person(**p.dict()) for p in payload.petitioners],
    )  # fmt: skip
    found = similar.candidates(user, draft, limit=payload.limit)
    log_audit(action="matter:similar", request=request, count=len(found),
              found=[c.matter.number for c in found])  # fmt: skip
    return [presenters.similar_candidate(c) for c in found]
