from django.urls import path

from guestview import views

app_name = "guestview"

urlpatterns = [
    path("", views.home, name="home"),
    path("guests/", views.guest_search, name="guest_search"),
    path("guests/<int:pk>/", views.guest_detail, name="guest_detail"),
    path("me/status/", views.agent_status_set, name="agent_status_set"),
]
