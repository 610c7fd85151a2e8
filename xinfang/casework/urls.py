from django.urls import path

from xinfang.casework import audit, exports, views

app_name = "casework"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.xlsx", exports.worklist_export, name="worklist_export"),
    path("register/", views.register_choose, name="register_choose"),
    path("register/similar/", views.similar, name="similar"),
    path("register/<str:channel>/", views.register, name="register"),
    path("matters/<str:number>/", views.matter_detail, name="matter"),
    path("matters/<str:number>/act/<str:action>/", views.act, name="act"),
    path("matters/<str:number>/request/<str:action>/", views.ask, name="ask"),
    path("documents/<int:pk>.docx", views.document_download, name="document"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
]
