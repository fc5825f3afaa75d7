"""Writes to guest identity and agent setup. Every domain write goes through a
function here: it validates, normalizes and writes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from guestview import selectors
from guestview.identity import normalize_email, normalize_phone
from guestview.models import (
    AgentLanguage,
    AgentProfile,
    AgentStatus,
    ContactKind,
    ContactPoint,
    Guest,
    Language,
    Property,
    Role,
)
from guestview.selectors import SERVE_PROPERTY

_PHONE_KINDS = {ContactKind.PHONE, ContactKind.WHATSAPP}


def contact_value_normalize(*, kind: str, raw: str) -> str:
    """The normalized key of a contact point, or ValidationError."""
    if kind in _PHONE_KINDS:
        value = normalize_phone(raw)
        if value is None:
            raise ValidationError(_("%(raw)s is not a phone number."), params={"raw": raw})
        return value
    if kind == ContactKind.EMAIL:
        value = normalize_email(raw)
        if value is None:
            raise ValidationError(_("%(raw)s is not an e-mail address."), params={"raw": raw})
        return value
    value = raw.strip()
    if not value:
        raise ValidationError(_("A contact value is required."))
    return value


@transaction.atomic
def guest_create(
    *,
    property: Property,
    first_name: str,
    last_name: str,
    language: str = Language.TR,
    nationality: str = "",
    segment: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> Guest:
    guest = Guest(
        property=property,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language,
        nationality=nationality.upper(),
        segment=segment,
    )
    guest.full_clean()
    guest.save()
    for i, phone in enumerate(phones):
        contact_point_add(guest=guest, kind=ContactKind.PHONE, raw=phone, is_primary=i == 0)
    for email in emails:
        contact_point_add(guest=guest, kind=ContactKind.EMAIL, raw=email)
    return guest


@transaction.atomic
def guest_rename(*, guest: Guest, first_name: str, last_name: str) -> Guest:
    guest.first_name = first_name.strip()
    guest.last_name = last_name.strip()
    guest.full_clean()
    guest.save(update_fields=["first_name", "last_name", "updated_at"])
    return guest


def contact_point_add(
    *, guest: Guest, kind: str, raw: str, is_primary: bool = False
) -> ContactPoint:
    """Attach a way to reach ``guest``; adding one it already has is a no-op."""
    value = contact_value_normalize(kind=kind, raw=raw)
    contact, _created = ContactPoint.objects.get_or_create(
        guest=guest,
        kind=kind,
        value=value,
        defaults={"raw_value": raw.strip(), "is_primary": is_primary},
    )
    return contact


def agent_profile_ensure(*, user: AbstractBaseUser) -> AgentProfile:
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def agent_setup(
    *,
    user: AbstractBaseUser,
    role: str,
    properties: Iterable[Property] = (),
    languages: Iterable[str] = (),
    extension: str | None = None,
    capacity: int = 4,
) -> AgentProfile:
    """Give ``user`` a console role, the properties they serve and their skills."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s."), params={"role": role})
    user.groups.add(Group.objects.get(name=role))
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    profile = agent_profile_ensure(user=user)
    profile.extension = extension or None
    profile.capacity = capacity
    profile.full_clean()
    profile.save()
    agent_set_languages(agent=profile, languages=languages)
    agent_set_properties(user=user, properties=properties)
    return profile


@transaction.atomic
def agent_set_languages(*, agent: AgentProfile, languages: Iterable[str]) -> None:
    wanted = set(languages)
    unknown = wanted - {Language.TR, Language.EN, Language.DE, Language.RU}
    if unknown:
        raise ValidationError(_("Unknown languages: %(codes)s"), params={"codes": sorted(unknown)})
    agent.languages.exclude(language__in=wanted).delete()
    have = set(agent.languages.values_list("language", flat=True))
    AgentLanguage.objects.bulk_create(
        [AgentLanguage(agent=agent, language=code) for code in sorted(wanted - have)]
    )


@transaction.atomic
def agent_set_properties(*, user: AbstractBaseUser, properties: Iterable[Property]) -> None:
    """Make ``properties`` exactly the set ``user`` serves (object permissions)."""
    wanted = {p.pk: p for p in properties}
    for prop in selectors.properties_served_by(user):
        if prop.pk not in wanted:
            remove_perm(SERVE_PROPERTY, user, prop)
        else:
            wanted.pop(prop.pk)
    for prop in wanted.values():
        assign_perm(SERVE_PROPERTY, user, prop)


def agent_set_status(*, agent: AgentProfile, status: str) -> AgentProfile:
    if status not in AgentStatus.values:
        raise ValidationError(_("Unknown status %(status)s."), params={"status": status})
    if agent.status != status:
        agent.status = status
        agent.status_changed_at = timezone.now()
        agent.save(update_fields=["status", "status_changed_at"])
    return agent


def agents_mark_away(*, idle_seconds: int) -> int:
    """Online agents with no request for ``idle_seconds`` become away, so that
    routing stops giving work to a console nobody is looking at."""
    cutoff = timezone.now() - timedelta(seconds=idle_seconds)
    idle = Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, status_changed_at__lt=cutoff)
    return AgentProfile.objects.filter(idle, status=AgentStatus.ONLINE).update(
        status=AgentStatus.AWAY, status_changed_at=timezone.now()
    )
