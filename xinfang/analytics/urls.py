from django.urls import path

from xinfang.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data/<str:name>.json", views.chart_data, name="chart_data"),
    path("matters/", views.drill_down, name="matters"),
    path("clusters/<str:number>/", views.cluster_page, name="cluster"),
    path("export/<str:name>.xlsx", views.export, name="export"),
    path("reports/", views.statutory_reports, name="reports"),
    path("reports/period/<str:period>.xlsx", views.periodic_report, name="periodic_report"),
    path(
        "reports/period/<str:period>.docx",
        views.periodic_report,
        {"fmt": "docx"},
        name="periodic_report_docx",
    ),
    path("reports/annual/<int:year>/<str:name>", views.annual_report, name="annual_report"),
]
