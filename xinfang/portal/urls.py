from django.urls import path

from xinfang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/receipt/", views.receipt, name="receipt"),
    path("submit/receipt.docx", views.receipt_download, name="receipt_download"),
    path("track/", views.track, name="track"),
    path("track/case/", views.case, name="case"),
    path("track/case/documents/<int:pk>/", views.document_download, name="document"),
    path("track/case/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("track/case/evaluate/<str:target>/", views.evaluate, name="evaluate"),
    path("track/case/appeal/", views.appeal, name="appeal"),
    path("track/case/information/", views.add_information, name="add_information"),
    path("track/leave/", views.leave, name="leave"),
    path("stats/", views.stats, name="stats"),
    path("stats/data.json", views.stats_data, name="stats_data"),
]
