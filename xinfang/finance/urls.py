from django.urls import path

from xinfang.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("check/", views.check_files, name="check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/details/<str:kind>/", views.edit_details, name="details"),
    path("<int:pk>/projects/<int:project_pk>/indicators/", views.edit_indicators, name="indicators"),
    path("<int:pk>/import/", views.import_tables, name="import"),
    path("<int:pk>/build/", views.build, name="build"),
    path("builds/<str:job>/", views.build_status, name="build_status"),
    path("builds/<str:job>/files/<path:name>", views.build_file, name="build_file"),
]
