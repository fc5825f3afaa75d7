from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("iys/", views.iys_status, name="iys_status"),
    path("access/", views.access_report, name="access_report"),
]
