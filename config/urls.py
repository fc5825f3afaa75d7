from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz
from guestview import security

admin.site.site_header = _("Misafir360 administration")
admin.site.login_form = security.ThrottledAdminAuthenticationForm  # the same lock as /login/
admin.site.site_title = "Misafir360"

urlpatterns = [
    path("login/", security.login, name="login"),  # throttled (guestview.security)
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("cti/", include("guestview.cti.urls")),
    path("webhooks/", include("channels_inbox.webhook_urls")),
    path("inbox/", include("channels_inbox.urls")),
    path("webchat/", include("channels_inbox.webchat_urls")),
    path("consent/", include("consent.urls")),
    path("privacy/", include("consent.privacy_urls")),
    path("leads/", include("leads.urls")),
    path("", include("guestview.urls")),
]
