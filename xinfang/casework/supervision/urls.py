from django.urls import path

from xinfang.casework.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("unit/", views.unit_orders, name="unit_orders"),
    path("new/", views.order_new, name="new"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/issue/", views.order_issue, name="issue"),
    path("<int:pk>/dismiss/", views.order_dismiss, name="dismiss"),
    path("<int:pk>/follow-up/", views.order_follow_up, name="follow_up"),
    path("<int:pk>/answer/", views.order_answer, name="answer"),
    path("<int:pk>/close/", views.order_close, name="close"),
    path("<int:pk>/notice.docx", views.order_notice, name="notice"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
