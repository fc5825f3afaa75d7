from django.urls import path

from consent import privacy_views as views

app_name = "privacy"

urlpatterns = [
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("requests/<int:pk>/anonymize/", views.request_anonymize, name="request_anonymize"),
    path("guests/<int:pk>/export.json", views.guest_export_json, name="guest_export_json"),
    path("guests/<int:pk>/export/", views.guest_export_page, name="guest_export_page"),
]
