"""The leads part of ``manage.py seed_demo``: seasons, business hours for one
hotel, a night team, running campaigns, a web form per hotel, and a dozen
leads at every stage — written through leads.services like real ones, so
Case IDs, clocks and history are real. Idempotent: leads only when there
are none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from guestview.models import Property
from leads import services
from leads.models import (
    BusinessCalendar,
    BusinessPeriod,
    Campaign,
    IntakeForm,
    Lead,
    LeadSource,
    LeadStatus,
    Season,
    Team,
)

CAMPAIGNS = [
    ("early-summer-27", "Early booking summer 2027",
     "Book by 31 January: 25% off all inclusive stays June–September 2027, free cancellation "
     "until 30 days before arrival.", "family",
     "Ask whether they travel with children; offer the Family Suite first, the Superior as the "
     "second option. Mention the kids club and the 25% early booking discount."),
    ("honeymoon-spa", "Honeymoon & spa",
     "Couples: a 60-minute spa ritual for two and a candle-lit dinner with 5+ nights.", "couple",
     "Congratulate them; offer the sea-view room and the villa; the spa ritual is included."),
]  # fmt: skip

LEADS = [
    # hotel, name, contact, source, request, arrival in days, nights, adults, children, stage
    ("blk", "Ayşe Demir", "+905321110001", "web-form", "Temmuz'da 2+2 aile odası, deniz manzarası", 220, 7, 2, 2, "new"),
    ("blk", "Thomas Wagner", "+491701234001", "whatsapp", "Familienzimmer, Juli, Kinder 5 und 8", 210, 10, 2, 2, "contacted"),
    ("blk", "Sarah Mitchell", "sarah.m@example.co.uk", "web-form", "Honeymoon, 7 nights, sea view", 150, 7, 2, 0, "offer_sent"),
    ("blk", "Dmitry Orlov", "+79161110001", "social-dm", "Вилла с бассейном на 10 ночей", 180, 10, 4, 1, "option"),
    ("blk", "Mehmet Aksoy", "+905331110002", "phone", "Bayramda 4 gece, 2 oda", 60, 4, 4, 0, "won"),
    ("sde", "Julia Schmidt", "julia.schmidt@example.de", "web-form", "Juni, Halbpension, ruhiges Zimmer", 190, 7, 2, 0, "new"),
    ("sde", "Анна Кузнецова", "+79031110003", "whatsapp", "Семейный номер в августе", 240, 12, 2, 1, "contacted"),
    ("sde", "Emre Yılmaz", "+905341110004", "callback", "Hafta sonu iki gece", 20, 2, 2, 0, "lost"),
    ("kmr", "Peter Hofmann", "+491761110005", "ota", "Bungalow, Mai, 2 Wochen", 160, 14, 2, 0, "offer_sent"),
    ("kmr", "Laura Evans", "laura.evans@example.com", "campaign", "Early booking family offer", 230, 7, 2, 3, "new"),
    ("bdr", "Can Erdem", "+905351110006", "web-form", "Ağustos, balayı, 5 gece", 250, 5, 2, 0, "contacted"),
    ("bdr", "Natasha Ivanova", "+79051110007", "social-dm", "Номер с видом на море, сентябрь", 280, 7, 2, 0, "new"),
]  # fmt: skip


def seed_leads(properties: list[Property]) -> int:
    by_code = {p.code: p for p in properties}
    today = timezone.localdate()
    for prop in properties:
        Season.objects.get_or_create(
            property=prop, kind="high", starts_on=dt.date(today.year, 6, 1),
            defaults={"ends_on": dt.date(today.year, 9, 30)},
        )  # fmt: skip
        IntakeForm.objects.get_or_create(
            property=prop, name="Booking page form",
            defaults={"source": LeadSource.objects.get(code="web-form"),
                      "allowed_origins": "http://127.0.0.1:8000"},
        )  # fmt: skip
    if "bdr" in by_code:  # a hotel whose call center works office hours
        calendar, created = BusinessCalendar.objects.get_or_create(
            property=by_code["bdr"], defaults={"business_hours_only": True}
        )
        if created:
            for day in range(7):
                BusinessPeriod.objects.create(calendar=calendar, weekday=day,
                                              starts=dt.time(8), ends=dt.time(23))  # fmt: skip
    users = {u.username: u for u in get_user_model().objects.all()}
    if "blk" in by_code and "selin" in users and not Team.objects.exists():
        team = Team.objects.create(name="Belek evening desk", property=by_code["blk"],
                                   supervisor=users["selin"])  # fmt: skip
        team.members.set([users[n].agent_profile for n in ("ayse", "mehmet", "hans") if n in users])
    for code, name, offer, segment, script in CAMPAIGNS:
        campaign, _ = Campaign.objects.get_or_create(
            code=code,
            defaults={"name": name, "offer_text": offer, "target_segment": segment,
                      "call_script": script, "starts_on": today - dt.timedelta(days=10),
                      "ends_on": today + dt.timedelta(days=50)},
        )  # fmt: skip
        campaign.properties.set(properties)
    if Lead.objects.exists():
        return 0
    agents = {p.code: [] for p in properties}
    for user in users.values():
        profile = getattr(user, "agent_profile", None)
        if profile is None or not user.groups.filter(name="agent").exists():
            continue
        for code in agents:
            if user.has_perm("guestview.serve_property", by_code[code]):
                agents[code].append(profile)
    count = 0
    for n, (code, *fields) in enumerate(LEADS):
        if code not in by_code:
            continue
        agent = agents[code][n % len(agents[code])] if agents[code] else None
        with transaction.atomic():
            _lead(by_code[code], *fields, today=today, agent=agent)
        count += 1
    return count


def _lead(prop, name, contact, source, request, days, nights, adults, children, stage, *,
          today, agent):  # fmt: skip
    arrival = today + dt.timedelta(days=days)
    lead = services.lead_create(
        property=prop, name=name, contact=contact, request=request,
        source=LeadSource.objects.get(code=source), arrival=arrival,
        departure=arrival + dt.timedelta(days=nights), adults=adults, children=children,
        budget=Decimal(nights * 220), language=_language(name, contact),
        assign_to=agent if stage != "new" else None,
    )  # fmt: skip
    by = agent.user if agent else None
    soon = timezone.now() + dt.timedelta(hours=3 + len(name) % 20)
    if stage in ("contacted", "offer_sent", "option", "won", "lost"):
        services.lead_move(lead=lead, to=LeadStatus.CONTACTED, by=by, follow_up_at=soon)
    if stage in ("offer_sent", "option"):
        services.lead_move(lead=lead, to=LeadStatus.OFFER_SENT, by=by, follow_up_at=soon)
    if stage == "option":
        services.lead_move(lead=lead, to=LeadStatus.OPTION, by=by, follow_up_at=soon)
    if stage == "won":
        number = f"PMS-{lead.pk:05d}"
        services.lead_move(lead=lead, to=LeadStatus.WON, by=by, reservation_number=number)
    if stage == "lost":
        services.lead_move(lead=lead, to=LeadStatus.LOST, by=by, lost_reason="price")
    return lead


def _language(name: str, contact: str) -> str:
    if any("а" <= ch <= "я" or ch == "ё" for ch in name.lower()) or contact.startswith("+7"):
        return "ru"
    if contact.startswith("+49") or contact.endswith(".de"):
        return "de"
    if contact.startswith("+90"):
        return "tr"
    return "en"
