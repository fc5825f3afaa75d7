from django.urls import path

from guestview.cti import views

app_name = "cti"

# No trailing slashes: phone systems are configured with these exact paths and
# do not follow APPEND_SLASH redirects on a POST.
urlpatterns = [
    path("events", views.events, name="events"),
    path("3cx/lookup", views.threecx_lookup, name="threecx_lookup"),
    path("3cx/report", views.threecx_report, name="threecx_report"),
]
