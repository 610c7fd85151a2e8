from django.urls import path

from xinfang.exchange import views

app_name = "exchange"
urlpatterns = [path("", views.exchange_page, name="page")]
