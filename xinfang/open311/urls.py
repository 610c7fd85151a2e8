from django.urls import re_path

from xinfang.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(rf"^discovery{FMT}", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}", views.services_list, name="services"),
    re_path(rf"^services/(?P<code>[^/.]+){FMT}", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}", views.requests, name="requests"),
    re_path(rf"^requests/(?P<registration>[^/.]+){FMT}", views.request_detail, name="request"),
]
