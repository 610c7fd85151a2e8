from ninja import Router, Status

from xinfang.api import presenters
from xinfang.api.routes.common import actor, audited
from xinfang.api.schemas import ErrorOut, RegistrationIn, RegistrationOut
from xinfang.petitions import citizens, services

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
