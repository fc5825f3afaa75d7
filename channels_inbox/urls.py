from django.urls import path

from channels_inbox import views

app_name = "channels_inbox"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.claim_next, name="claim_next"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/reply/", views.conversation_reply, name="conversation_reply"),
    path("c/<int:pk>/note/", views.conversation_note, name="conversation_note"),
    path("c/<int:pk>/claim/", views.conversation_claim, name="conversation_claim"),
    path("c/<int:pk>/release/", views.conversation_release, name="conversation_release"),
    path("c/<int:pk>/transfer/", views.conversation_transfer, name="conversation_transfer"),
    path("c/<int:pk>/triage/", views.conversation_triage, name="conversation_triage"),
    path("c/<int:pk>/tags/", views.conversation_tags, name="conversation_tags"),
    path("c/<int:pk>/close/", views.conversation_close, name="conversation_close"),
    path("c/<int:pk>/whatsapp/", views.conversation_handoff, name="conversation_handoff"),
]
