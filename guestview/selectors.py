"""Reads of guarded guest data. Views read guests, stays and properties only
through these helpers: each one applies the property scope of the user
(django-guardian ``serve_property``), so an agent of hotel B never gets a row of
hotel A. A guarded object that is out of scope is a 404, not a 403, so that
its existence is not disclosed either.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from guestview.identity import fold_name, normalize_email, normalize_phone
from guestview.models import ContactKind, ContactPoint, Guest, Property, Role, Stay

SERVE_PROPERTY = "guestview.serve_property"


def properties_for_user(user: AbstractBaseUser) -> QuerySet[Property]:
    """The properties whose guests ``user`` may see (all of them for admins)."""
    if not user.is_authenticated or not user.is_active:
        return Property.objects.none()
    return get_objects_for_user(
        user, SERVE_PROPERTY, klass=Property, accept_global_perms=True, with_superuser=True
    ).order_by("name")


def properties_served_by(user: AbstractBaseUser) -> QuerySet[Property]:
    """The properties assigned to ``user`` personally (not through a group or a
    global permission): what the agent profile admin edits."""
    return get_objects_for_user(
        user,
        SERVE_PROPERTY,
        klass=Property,
        use_groups=False,
        accept_global_perms=False,
        with_superuser=False,
    )


def _visible_property_ids(user: AbstractBaseUser) -> list[int]:
    # Cached on the user object: one request asks several selectors.
    cached = getattr(user, "_m360_property_ids", None)
    if cached is None:
        cached = list(properties_for_user(user).values_list("id", flat=True))
        user._m360_property_ids = cached
    return cached


def guests_for_user(user: AbstractBaseUser) -> QuerySet[Guest]:
    return Guest.objects.filter(property_id__in=_visible_property_ids(user))


def get_guest_for_user(user: AbstractBaseUser, pk: int) -> Guest:
    try:
        return guests_for_user(user).select_related("property").get(pk=pk)
    except (Guest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such guest.") from None


def get_property_for_user(user: AbstractBaseUser, pk: int) -> Property:
    try:
        return properties_for_user(user).get(pk=pk)
    except (Property.DoesNotExist, ValueError, TypeError):
        raise Http404("No such property.") from None


def stays_for_guest(guest: Guest) -> QuerySet[Stay]:
    """A guest already loaded through get_guest_for_user; stays of every
    property of the chain are shown, newest first."""
    return guest.stays.select_related("property").order_by("-arrival")


def user_roles(user: AbstractBaseUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    roles = {g.name for g in user.groups.all() if g.name in Role.values}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def guest_search(
    *, user: AbstractBaseUser, query: str, property_id: int | None = None
) -> QuerySet[Guest]:
    """Guests in ``user``'s scope that match ``query``.

    The query is read as an e-mail when it has an @, as a phone when it
    normalizes to one (any format a PBX or an agent types), otherwise as a
    name: every word must occur in the Turkish-aware folded name, so
    "ahmet yilmaz" finds "AHMET YILMAZ" and "Ahmet Yılmaz".
    """
    guests = guests_for_user(user)
    if property_id is not None:
        guests = guests.filter(property_id=property_id)
    query = (query or "").strip()
    if not query:
        return guests.none()

    if "@" in query:
        email = normalize_email(query)
        if email is None:
            return guests.none()
        matches = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=email)
        guests = guests.filter(id__in=matches.values("guest_id"))
    elif (phone := normalize_phone(query)) is not None:
        matches = ContactPoint.objects.filter(
            kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP], value=phone
        )
        guests = guests.filter(id__in=matches.values("guest_id"))
    else:
        words = fold_name(query).split()
        if not words:
            return guests.none()
        for word in words:
            guests = guests.filter(search_name__contains=word)

    # Case-insensitive, so "MÜLLER" from an OTA export sorts among the "Müller"s.
    guests = guests.order_by(Lower("last_name"), Lower("first_name"), "id")
    return guests.select_related("property").prefetch_related(
        Prefetch(
            "contact_points",
            queryset=ContactPoint.objects.order_by("-is_primary", "kind", "id"),
        )
    )
