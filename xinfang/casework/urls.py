from django.urls import path

from xinfang.casework import audit, batch, exports, legacy, views

app_name = "casework"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.xlsx", exports.worklist_export, name="worklist_export"),
    # batch operations from the worklist (issue 12)
    path("batch/", batch.batch_action, name="batch"),
    path("batch/bar/", batch.bar, name="batch_bar"),
    path("register/", views.register_choose, name="register_choose"),
    # legacy import of a historical register (issue 17)
    path("legacy/", legacy.legacy_page, name="legacy"),
    path("legacy/<str:job>/status/", legacy.legacy_status, name="legacy_status"),
    path("register/similar/", views.similar, name="similar"),
    path("register/done/", views.registered, name="registered"),
    path("register/<str:channel>/", views.register, name="register"),
    path("matters/<str:number>/", views.matter_detail, name="matter"),
    path("people/<int:pk>/", views.person, name="person"),
    path("matters/<str:number>/act/<str:action>/", views.act, name="act"),
    path("matters/<str:number>/request/<str:action>/", views.ask, name="ask"),
    path(
        "matters/<str:number>/registrations/<str:registration>/receipt.docx",
        views.registration_receipt,
        name="receipt",
    ),
    path("matters/<str:number>/attachments/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path(
        "matters/<str:number>/attachments/<int:attachment_id>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("documents/<int:pk>.docx", views.document_download, name="document"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
]
