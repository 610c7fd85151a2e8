from django.http import FileResponse, Http404
from ninja import Router

from xinfang.accounts.audit import log_audit
from xinfang.api.routes.common import actor
from xinfang.petitions import access, documents
from xinfang.petitions.models import Document

router = Router(tags=["文书"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get(
    "/documents/{document_id}.docx",
    url_name="document_docx",
    summary="下载文书",
    description="以 Word（.docx）格式下载告知书、意见书等文书；须有权查看其所属事项，否则返回 404。",
    openapi_extra={
        "responses": {
            200: {
                "description": "文书（.docx）",
                "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
            },
            404: {"description": "未找到或无权查看"},
        }
    },
)
def document_docx(request, document_id: int):
    document = Document.objects.select_related("matter", "issuer").filter(pk=document_id).first()
    if document is None or not access.can_view(actor(request), document.matter):
        raise Http404("未找到该文书，或您无权查看。")
    log_audit(action="document:download", request=request, obj=document, number=document.number)
    return FileResponse(documents.stored_docx(document), as_attachment=True,
                        filename=f"{document.title}{document.number}.docx", content_type=DOCX)  # fmt: skip
