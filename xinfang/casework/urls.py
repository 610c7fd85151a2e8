from django.urls import path

from xinfang.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.worklist, name="worklist"),
]
