"""Every test row is made here. Factories write through the models (Guest.save
computes search_name); personas go through guestview.services in conftest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from guestview import services
from guestview.identity import normalize_email, normalize_phone
from guestview.models import (
    Chain,
    ContactKind,
    ContactPoint,
    Guest,
    Language,
    Pbx,
    PbxKind,
    Preference,
    PreferenceKey,
    PreferenceSource,
    Property,
    Region,
    Stay,
    StayStatus,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    email = factory.LazyAttribute(lambda o: f"{o.username}@callcenter.example")
    password = factory.django.Password(PASSWORD)


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Chain {n}")


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    chain = factory.SubFactory(ChainFactory)
    name = factory.Sequence(lambda n: f"Property {n}")
    code = factory.Sequence(lambda n: f"prop-{n}")
    region = Region.ANTALYA


class GuestFactory(factory.django.DjangoModelFactory):
    """Default names are deliberately unlike any name a search test looks for."""

    class Meta:
        model = Guest

    property = factory.SubFactory(PropertyFactory)
    first_name = factory.Sequence(lambda n: f"Zeynep{n:04d}")
    last_name = factory.Sequence(lambda n: f"Örnekoğlu{n:04d}")
    language = Language.TR


def _normalized(contact: ContactPoint) -> str:
    if contact.kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
        value = normalize_phone(contact.raw_value)
    elif contact.kind == ContactKind.EMAIL:
        value = normalize_email(contact.raw_value)
    else:
        value = contact.raw_value.strip()
    if value is None:
        raise ValueError(f"{contact.raw_value!r} is not a valid {contact.kind}")
    return value


class ContactPointFactory(factory.django.DjangoModelFactory):
    """``value`` is what guestview.identity makes of ``raw_value``, as in the services."""

    class Meta:
        model = ContactPoint

    guest = factory.SubFactory(GuestFactory)
    kind = ContactKind.PHONE
    # 0532 7xx xx xx: valid Turkcell mobile numbers, one per sequence step.
    raw_value = factory.Sequence(lambda n: f"0532 {7000000 + n:07d}")
    value = factory.LazyAttribute(_normalized)

    class Params:
        email = factory.Trait(
            kind=ContactKind.EMAIL,
            raw_value=factory.Sequence(lambda n: f"Guest.{n}@Mail.example"),
        )


class StayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stay

    guest = factory.SubFactory(GuestFactory)
    property = factory.SelfAttribute("guest.property")
    pms_reservation_id = factory.Sequence(lambda n: f"RES{n:06d}")
    arrival = dt.date(2025, 7, 1)
    departure = factory.LazyAttribute(lambda o: o.arrival + dt.timedelta(days=7))
    room_type = "Deluxe Sea View"
    total_revenue = Decimal("2450.00")
    status = StayStatus.DEPARTED


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    guest = factory.SubFactory(GuestFactory)
    key = PreferenceKey.PILLOW
    value = "Feather-free pillow"
    source = PreferenceSource.CRM


def persona(username, *, role, properties=(), languages=(), extension=None):
    """A console user set up the way an administrator does it: guestview.services."""
    user = UserFactory(username=username, first_name=username.capitalize())
    services.agent_setup(
        user=user, role=role, properties=properties, languages=languages, extension=extension
    )
    return user


class PbxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pbx

    name = factory.Sequence(lambda n: f"PBX {n}")
    kind = PbxKind.GENERIC
