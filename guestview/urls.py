from django.urls import path

from guestview import views

app_name = "guestview"

urlpatterns = [
    path("", views.home, name="home"),
    path("guests/", views.guest_search, name="guest_search"),
    path("guests/<int:pk>/", views.guest_detail, name="guest_detail"),
    path("guests/<int:pk>/timeline/", views.guest_timeline, name="guest_timeline"),
    path("guests/<int:pk>/notes/", views.guest_note_create, name="guest_note_create"),
    path("guests/<int:pk>/contacts/", views.guest_contacts_unmask, name="guest_contacts_unmask"),
    path("guests/<int:pk>/consent/", views.guest_consent_record, name="guest_consent_record"),
    path("guests/<int:pk>/needs/", views.guest_needs, name="guest_needs"),
    path("notes/<int:pk>/done/", views.guest_note_done, name="guest_note_done"),
    path("calls/missed/", views.missed_calls, name="missed_calls"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/seen/", views.call_seen, name="call_seen"),
    path("calls/<int:pk>/identify/", views.call_identify, name="call_identify"),
    path("calls/<int:pk>/new-guest/", views.call_guest_create, name="call_guest_create"),
    path("pops/<int:pk>/dismiss/", views.screenpop_dismiss, name="screenpop_dismiss"),
    path("me/status/", views.agent_status_set, name="agent_status_set"),
    path("me/stream/", views.screenpop_stream, name="screenpop_stream"),
    path("me/alerts/", views.alerts, name="alerts"),
    path("me/alerts/read/", views.alerts_read, name="alerts_read"),
]
