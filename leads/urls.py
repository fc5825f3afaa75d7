from django.urls import path

from leads import intake, views

app_name = "leads"

urlpatterns = [
    path("", views.lead_queue, name="queue"),
    path("new/", views.lead_new, name="new"),
    path("board/", views.board, name="board"),
    path("missed/", views.missed, name="missed"),
    path("campaigns/", views.campaigns_today, name="campaigns"),
    path("campaigns/<int:pk>/calls/", views.campaign_calls, name="campaign_calls"),
    path("intake", intake.intake, name="intake"),
    path("<int:pk>/", views.lead_detail, name="lead"),
    path("<int:pk>/move/", views.lead_move, name="move"),
    path("<int:pk>/follow-up/", views.lead_follow_up, name="follow_up"),
    path("<int:pk>/claim/", views.lead_claim, name="claim"),
    path("<int:pk>/assign/", views.lead_assign, name="assign"),
    path("<int:pk>/note/", views.lead_note, name="note"),
    path("<int:pk>/offer/", views.offer_send, name="offer_send"),
    path("<int:pk>/offer/preview/", views.offer_preview, name="offer_preview"),
    path("options/<int:pk>/hold/", views.option_hold, name="option_hold"),
]
