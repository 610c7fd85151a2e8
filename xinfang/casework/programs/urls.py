from django.urls import path

from xinfang.casework.programs import views

app_name = "programs"
urlpatterns = [
    path("reception/", views.reception_list, name="reception_list"),
    path("reception/<int:pk>/", views.reception_day, name="reception_day"),
    path("matters/<str:number>/", views.matter_page, name="matter"),
    path("leader/", views.leader_dashboard, name="leader"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    path("campaigns/items/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", views.dispute_page, name="dispute"),
    path("disputes/<int:pk>/convert/", views.dispute_convert, name="dispute_convert"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/members/", views.member_list, name="members"),
    path("meetings/<int:pk>/", views.meeting_page, name="meeting"),
    path("fund/", views.fund_list, name="fund_list"),
    path("fund/<int:pk>/", views.fund_case, name="fund_case"),
    path("fund/<int:pk>/file.docx", views.fund_file, name="fund_file"),
    path("video/", views.video_list, name="video_list"),
    path("video/<int:pk>/", views.video_page, name="video"),
]
