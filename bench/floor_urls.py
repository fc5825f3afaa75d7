"""The floor of make bench-screenpop: the least a Django view can do for a
caller — one indexed lookup, a tiny template — through the same middleware."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import path

from guestview.models import ContactPoint

_TINY = Template('<div class="caller">{{ value|default:"unknown" }}</div>')


def floor(request):
    value = (
        ContactPoint.objects.filter(value=request.GET.get("n", ""))
        .values_list("value", flat=True)
        .first()
    )
    return HttpResponse(_TINY.render(Context({"value": value})))


urlpatterns = [path("floor", floor)]
