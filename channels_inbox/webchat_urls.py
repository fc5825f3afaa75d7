from django.urls import path

from channels_inbox import webchat_views

app_name = "webchat"

# Called by static/webchat/widget.js from the hotels' sites.
urlpatterns = [
    path("<str:key>/start", webchat_views.start, name="start"),
    path("<str:key>/messages", webchat_views.messages, name="messages"),
    path("demo/<str:key>", webchat_views.demo, name="demo"),
]
