app_name = "webchat"

urlpatterns: list = []  # (in progress: the web chat widget fills this in)
