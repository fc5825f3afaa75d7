"""A believable demo chain: four resort hotels, their call-center staff, and
guests from the four markets with stays, preferences and the phone formats
agents really see. ``manage.py seed_demo`` runs it.

Guests are generated as plain row tuples and written in bulk (COPY on
PostgreSQL, executemany elsewhere), so a million guests with ~3M stays fit in
minutes on a laptop. Rows written this way skip Model.save(): search_name is
computed here with the same identity.name_search_key.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from consent.models import ConsentRecord
from consent.services import consent_record
from guestview import services
from guestview.identity import fold_name, name_search_key, transliterate
from guestview.models import (
    AgentStatus,
    Chain,
    ContactPoint,
    Guest,
    Pbx,
    PbxKind,
    Preference,
    Property,
    PropertyNumber,
    Role,
    Stay,
)

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed on purpose: demo logins
DEMO_PBX_TOKEN = "demo-pbx-token"  # noqa: S105 - the demo's webhook token, printed too

PROPERTIES = [
    # code, name, region, dialed numbers
    ("blk", "Akdeniz Belek Resort", "belek", ["+902427101000", "+902427101001"]),
    ("sde", "Akdeniz Side Palace", "side", ["+902427532000"]),
    ("kmr", "Akdeniz Kemer Bay", "kemer", ["+902428143000"]),
    ("bdr", "Akdeniz Bodrum Marina", "bodrum", ["+902523164000"]),
]

# username, first, last, role, property codes, languages, extension
STAFF = [
    ("admin", "Aylin", "Koç", Role.ADMIN, [], ["tr", "en"], None),
    ("selin", "Selin", "Aksoy", Role.SUPERVISOR, ["blk", "sde"], ["tr", "en", "de"], "301"),
    ("murat", "Murat", "Polat", Role.SUPERVISOR, ["kmr", "bdr"], ["tr", "en", "ru"], "302"),
    ("deniz", "Deniz", "Güneş", Role.QUALITY, ["blk", "sde", "kmr", "bdr"], ["tr", "en"], None),
    ("ayse", "Ayşe", "Yıldız", Role.AGENT, ["blk"], ["tr", "en"], "201"),
    ("mehmet", "Mehmet", "Çelik", Role.AGENT, ["blk"], ["tr", "de"], "202"),
    ("hans", "Hans", "Becker", Role.AGENT, ["blk"], ["de", "en"], "203"),
    ("olga", "Olga", "Smirnova", Role.AGENT, ["blk", "sde"], ["ru", "en", "tr"], "204"),
    ("emily", "Emily", "Clarke", Role.AGENT, ["blk"], ["en"], "205"),
    ("fatma", "Fatma", "Şahin", Role.AGENT, ["sde"], ["tr", "en"], "206"),
    ("jurgen", "Jürgen", "Weiß", Role.AGENT, ["sde"], ["de", "tr"], "207"),
    ("natalia", "Natalia", "Volkova", Role.AGENT, ["sde"], ["ru", "tr"], "208"),
    ("can", "Can", "Öztürk", Role.AGENT, ["sde", "kmr"], ["tr", "en", "de"], "209"),
    ("elif", "Elif", "Doğan", Role.AGENT, ["kmr"], ["tr", "ru"], "210"),
    ("sergey", "Sergey", "Morozov", Role.AGENT, ["kmr"], ["ru", "en"], "211"),
    ("zeynep", "Zeynep", "Kılıç", Role.AGENT, ["kmr"], ["tr", "en"], "212"),
    ("katrin", "Katrin", "Richter", Role.AGENT, ["kmr", "bdr"], ["de", "en"], "213"),
    ("burak", "Burak", "Aydın", Role.AGENT, ["bdr"], ["tr", "en"], "214"),
    ("anna", "Anna", "Neumann", Role.AGENT, ["bdr"], ["de", "ru", "en"], "215"),
    ("oliver", "Oliver", "Wright", Role.AGENT, ["bdr"], ["en", "tr"], "216"),
    ("irina", "Irina", "Petrova", Role.AGENT, ["bdr"], ["ru", "en"], "217"),
]

ROOM_TYPES = {
    # room type: nightly rate in EUR for two adults
    "blk": [("Standard Land View", 160), ("Superior Sea View", 230), ("Family Suite", 340),
            ("Villa with Pool", 620)],
    "sde": [("Standard Room", 140), ("Deluxe Sea View", 210), ("Family Connecting", 290),
            ("King Suite", 480)],
    "kmr": [("Bungalow Garden", 130), ("Deluxe Pine View", 180), ("Family Room", 250),
            ("Sea Suite", 410)],
    "bdr": [("Classic Marina View", 170), ("Superior Sea View", 240), ("Junior Suite", 360),
            ("Presidential Suite", 900)],
}  # fmt: skip

NAMES = {
    "tr": (
        ["Ahmet", "Mehmet", "Mustafa", "Hüseyin", "İbrahim", "Murat", "Ömer", "Şükrü", "Burak",
         "Can", "Kerem", "Yusuf", "İsmail", "Oğuz", "Serkan", "Emre", "Hakan", "Çağlar"],
        ["Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Gülşen", "Özlem", "Ebru",
         "Deniz", "Selin", "Ece", "Merve", "Tuğba", "Şule", "İrem", "Büşra", "Çiğdem"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
         "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
         "Özkan", "Şimşek", "Polat", "Erdoğan", "Güneş", "Aksoy", "Uçar", "Işık"],
        None,
    ),
    "de": (
        ["Jürgen", "Hans", "Klaus", "Wolfgang", "Stefan", "Andreas", "Thomas", "Michael",
         "Lukas", "Jonas", "Felix", "Björn", "Jörg", "Günter", "Matthias", "Tobias"],
        ["Sabine", "Petra", "Monika", "Ursula", "Claudia", "Katrin", "Lena", "Anna", "Sophie",
         "Marie", "Jana", "Birgit", "Gisela", "Annegret", "Lea", "Julia"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
         "Schröder", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Weiß", "Groß", "Köhler"],
        None,
    ),
    "ru": (
        ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Максим", "Иван", "Николай",
         "Юрий", "Павел", "Евгений", "Артём"],
        ["Елена", "Ольга", "Наталья", "Татьяна", "Анна", "Мария", "Ирина", "Светлана",
         "Екатерина", "Юлия", "Анастасия", "Дарья"],
        ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
         "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Лебедев", "Козлов",
         "Степанов", "Орлов"],
        "а",  # Russian surnames agree with gender: Иванов / Иванова
    ),
    "en": (
        ["Oliver", "George", "Harry", "Jack", "James", "William", "Thomas", "Daniel", "Samuel",
         "Charlie", "Henry", "Alfie"],
        ["Charlotte", "Emily", "Sophie", "Olivia", "Amelia", "Jessica", "Hannah", "Lucy",
         "Chloe", "Grace", "Isla", "Poppy"],
        ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
         "Hall", "Wood", "O'Brien", "Clarke"],
        None,
    ),
}  # fmt: skip

MARKETS = [("tr", 0.42), ("de", 0.22), ("ru", 0.21), ("en", 0.15)]
SOURCE_CODES = ["web", "ota", "crm_campaign", "organic", ""]
SOURCE_WEIGHTS = [33, 35, 14, 13, 5]
CONSENT_SOURCES = ["HS_WEB", "HS_CAGRI_MERKEZI", "HS_FIZIKSEL_ORTAM", "HS_EPOSTA"]
CAMPAIGNS = {
    "tr": ["Erken Rezervasyon 2027", "Bayram Tatili Fırsatı", "Sadakat: 4. gece bizden"],
    "de": ["Frühbucher Sommer 2027", "Familienurlaub mit Kinderclub", "Herbstsonne Angebot"],
    "ru": ["Раннее бронирование 2027", "Семейный отдых", "Осенний сезон"],
    "en": ["Early booking summer 2027", "Half-term family escape", "Autumn sun offer"],
}
NATIONALITY = {"tr": ["TR"], "de": ["DE", "DE", "DE", "AT", "CH"], "ru": ["RU", "RU", "KZ"],
               "en": ["GB", "GB", "GB", "IE"]}  # fmt: skip
MAIL_DOMAINS = {
    "tr": ["gmail.com", "hotmail.com", "outlook.com", "yandex.com.tr"],
    "de": ["web.de", "gmx.de", "t-online.de", "gmail.com"],
    "ru": ["mail.ru", "yandex.ru", "gmail.com", "rambler.ru"],
    "en": ["gmail.com", "btinternet.com", "outlook.com", "icloud.com"],
}
SEGMENTS = [("family", 0.40), ("couple", 0.33), ("business", 0.10), ("luxury", 0.12), ("", 0.05)]
STAYS_PER_GUEST = [0, 1, 2, 3, 4, 5, 6, 7, 8]
STAYS_WEIGHTS = [10, 20, 20, 15, 12, 9, 7, 4, 3]  # mean ≈ 2.9 stays a guest
BOARDS = [("AI", 55), ("UAI", 20), ("HB", 12), ("BB", 10), ("FB", 3)]
STAY_NOTES = [
    "Balayı çifti: oda süslemesi istendi.",
    "Deniz manzaralı oda tercih edildi.",
    "Geç çıkış 14:00 verildi.",
    "Bebek yatağı hazırlandı.",
    "Doğum günü pastası siparişi.",
    "Transfer havalimanından otel aracı ile.",
    "Wünscht ruhiges Zimmer, weit weg vom Animationsbereich.",
    "Просили номер на верхнем этаже.",
    "Anniversary: bottle of wine on arrival.",
    "Bağlantılı aile odası istendi.",
]
PREFERENCES = {
    "bed": ["King", "Twin", "Double"],
    "smoking": ["Non-smoking", "Smoking"],
    "children": ["Baby cot", "Kids club", "Connecting room"],
    "view": ["Sea view", "Garden view", "Pool view"],
    "floor": ["High floor", "Low floor", "Near elevator"],
    "pillow": ["Feather-free pillow", "Orthopaedic pillow"],
    "occasion": ["Anniversary in June", "Birthday in August", "Honeymoon"],
}


def _phone(rng: random.Random, market: str) -> tuple[str, str]:
    """(raw as an agent or PBX would write it, E.164)."""
    if market == "tr":
        prefix = rng.choice(["530", "532", "533", "535", "536", "538", "541", "542", "543",
                             "544", "505", "506", "507", "552", "555"])  # fmt: skip
        rest = f"{rng.randrange(10**7):07d}"
        e164 = f"+90{prefix}{rest}"
        raw = rng.choice([
            f"0{prefix} {rest[:3]} {rest[3:5]} {rest[5:]}",
            f"+90 ({prefix}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
            f"{prefix} {rest[:3]} {rest[3:]}",
            f"0090{prefix}{rest}",
            f"+90 {prefix} {rest[:3]} {rest[3:5]} {rest[5:]}",
        ])  # fmt: skip
    elif market == "de":
        prefix = rng.choice(["151", "152", "157", "160", "170", "171", "172", "176", "177"])
        rest = f"{rng.randrange(10**7, 10**8):08d}" if prefix[:2] == "15" else (
            f"{rng.randrange(10**6, 10**7):07d}" if prefix == "160" else
            f"{rng.randrange(10**7, 10**8):08d}"
        )  # fmt: skip
        e164 = f"+49{prefix}{rest}"
        raw = rng.choice([f"+49 {prefix} {rest}", f"0049 {prefix} {rest[:4]} {rest[4:]}",
                          f"+49-{prefix}-{rest}"])  # fmt: skip
    elif market == "ru":
        prefix = rng.choice(["903", "905", "909", "915", "916", "917", "925", "926", "985"])
        rest = f"{rng.randrange(10**7):07d}"
        e164 = f"+7{prefix}{rest}"
        raw = rng.choice([f"+7 {prefix} {rest[:3]}-{rest[3:5]}-{rest[5:]}",
                          f"+7 ({prefix}) {rest[:3]} {rest[3:5]} {rest[5:]}",
                          f"007{prefix}{rest}"])  # fmt: skip
    else:
        prefix = rng.choice(["7400", "7510", "7723", "7800", "7812", "7950", "7977"])
        rest = f"{rng.randrange(10**6):06d}"
        e164 = f"+44{prefix}{rest}"
        raw = rng.choice([f"+44 {prefix} {rest}", f"0044 {prefix} {rest[:3]} {rest[3:]}"])
    return raw, e164


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class GeneratedRows:
    guests: list[tuple]
    contacts: list[tuple]
    stays: list[tuple]
    preferences: list[tuple]
    consents: list[tuple]


GUEST_COLUMNS = ["id", "property_id", "first_name", "last_name", "search_name", "language",
                 "nationality", "birth_date", "segment", "source_channel", "last_campaign",
                 "last_campaign_at", "created_at", "updated_at"]  # fmt: skip
CONTACT_COLUMNS = ["id", "guest_id", "kind", "raw_value", "value", "is_primary", "created_at"]
STAY_COLUMNS = ["id", "property_id", "guest_id", "pms_reservation_id", "arrival", "departure",
                "room_type", "adults", "children", "board", "total_revenue", "currency",
                "status", "notes"]  # fmt: skip
PREFERENCE_COLUMNS = ["id", "guest_id", "key", "value", "source", "updated_at"]
CONSENT_COLUMNS = ["id", "guest_id", "recipient", "recipient_type", "type", "status", "source",
                   "consent_date", "recorded_at", "note"]  # fmt: skip


class IdCounter:
    def __init__(self, start: int):
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next


def generate_batch(
    rng: random.Random,
    count: int,
    *,
    properties: list[tuple[int, str]],
    ids: dict[str, IdCounter],
    today: date,
    now: datetime,
) -> GeneratedRows:
    """Rows for ``count`` guests and everything that hangs off them."""
    rows = GeneratedRows([], [], [], [], [])
    market_codes = [m for m, _w in MARKETS]
    market_weights = [w for _m, w in MARKETS]
    board_codes = [b for b, _w in BOARDS]
    board_weights = [w for _b, w in BOARDS]
    for _ in range(count):
        market = rng.choices(market_codes, market_weights)[0]
        male_names, female_names, surnames, female_suffix = NAMES[market]
        female = rng.random() < 0.5
        first = rng.choice(female_names if female else male_names)
        last = rng.choice(surnames)
        if female and female_suffix:
            last += female_suffix
        if rng.random() < 0.12:  # CRM exports and OTAs often shout
            first, last = first.upper(), last.upper()
        home_id, home_code = rng.choice(properties)
        guest_id = ids["guest"]()
        segment = _weighted(rng, SEGMENTS)
        created = now - timedelta(days=rng.randrange(1, 6 * 365), seconds=rng.randrange(86400))
        birth = (
            date(rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.4
            else None
        )
        campaign, campaign_at = "", None
        if rng.random() < 0.3:
            campaign = rng.choice(CAMPAIGNS[market])
            campaign_at = now - timedelta(days=rng.randrange(3, 200))
        rows.guests.append((
            guest_id, home_id, first, last, name_search_key(first, last), market,
            rng.choice(NATIONALITY[market]), birth, segment,
            rng.choices(SOURCE_CODES, SOURCE_WEIGHTS)[0], campaign, campaign_at, created, now,
        ))  # fmt: skip

        raw, e164 = _phone(rng, market)
        rows.contacts.append((ids["contact"](), guest_id, "phone", raw, e164, True, created))
        if rng.random() < 0.35:
            rows.contacts.append(
                (ids["contact"](), guest_id, "whatsapp", e164, e164, False, created)
            )
        email = ""
        if rng.random() < 0.6:
            local = ".".join(transliterate(fold_name(f"{first} {last}")).split())
            email = f"{local}{rng.randrange(100)}@{rng.choice(MAIL_DOMAINS[market])}"
            rows.contacts.append(
                (ids["contact"](), guest_id, "email", email, email, False, created)
            )
        if rng.random() < 0.75:  # İYS-shaped consent, as the CRM recorded it
            for kind, recipient, yes in (("ARAMA", e164, 0.8), ("MESAJ", e164, 0.6),
                                         ("EPOSTA", email, 0.5)):  # fmt: skip
                if recipient and rng.random() < 0.85:
                    when = min(now, created + timedelta(days=rng.randrange(0, 30)))
                    rows.consents.append((
                        ids["consent"](), guest_id, recipient, "BIREYSEL", kind,
                        "ONAY" if rng.random() < yes else "RET",
                        rng.choice(CONSENT_SOURCES), when, when, "",
                    ))  # fmt: skip

        for _s in range(rng.choices(STAYS_PER_GUEST, STAYS_WEIGHTS)[0]):
            prop_id, code = (home_id, home_code) if rng.random() < 0.7 else rng.choice(properties)
            room, rate = rng.choice(ROOM_TYPES[code])
            arrival = today + timedelta(days=rng.randrange(-6 * 365, 300))
            nights = rng.choice([3, 4, 5, 7, 7, 7, 10, 14])
            departure = arrival + timedelta(days=nights)
            adults = 1 if segment == "business" else rng.choice([2, 2, 2, 3])
            children = rng.choice([1, 2, 2, 3]) if segment == "family" else 0
            if arrival > today:
                status = "cancelled" if rng.random() < 0.08 else "upcoming"
            elif departure > today:
                status = "in_house"
            else:
                roll = rng.random()
                status = "cancelled" if roll < 0.06 else "no_show" if roll < 0.07 else "departed"
            revenue = Decimal(rate * nights * (1 + 0.3 * (adults - 2) + 0.2 * children))
            currency = "EUR"
            if market == "tr":
                revenue, currency = revenue * 36, "TRY"
            stay_id = ids["stay"]()
            rows.stays.append((
                stay_id, prop_id, guest_id, f"{code.upper()}-{stay_id:08d}", arrival, departure,
                room, adults, children, rng.choices(board_codes, board_weights)[0],
                revenue.quantize(Decimal("1.00")), currency, status,
                rng.choice(STAY_NOTES) if rng.random() < 0.15 else "",
            ))  # fmt: skip

        if rng.random() < 0.55:
            keys = rng.sample(sorted(PREFERENCES), rng.randrange(1, 4))
            if segment != "family" and "children" in keys:
                keys.remove("children")
            for key in keys:
                rows.preferences.append((
                    ids["preference"](), guest_id, key, rng.choice(PREFERENCES[key]),
                    rng.choice(["crm", "crm", "pms", "agent"]), now,
                ))  # fmt: skip
    return rows


# Guests a demo can rely on: the same name written two ways, a family phone
# shared by two guests, and one guest of each market. Written through services.
SHOWCASE = [
    # property, first, last, language, nationality, segment, phones, emails, stays, preferences
    ("blk", "Ahmet", "Yılmaz", "tr", "TR", "family", ["0532 123 45 67"],
     ["ahmet.yilmaz@example.com.tr"],
     [(-400, 7, "Family Suite", "departed", "Bağlantılı aile odası istendi."),
      (45, 5, "Family Suite", "upcoming", "")],
     [("bed", "King"), ("children", "Kids club"), ("view", "Sea view")]),
    ("blk", "Ayşe", "Yılmaz", "tr", "TR", "family", ["+90 (532) 123-45-67"], [],
     [(-400, 7, "Family Suite", "departed", "")], [("pillow", "Orthopaedic pillow")]),
    ("sde", "AHMET", "YILMAZ", "tr", "TR", "business", ["0542 987 65 43"], [],
     [(-30, 3, "Standard Room", "departed", "Geç çıkış 14:00 verildi.")], []),
    ("blk", "Hans", "Müller", "de", "DE", "couple", ["+49 151 23456789"],
     ["hans.mueller@web.de"],
     [(-700, 14, "Superior Sea View", "departed", ""),
      (-335, 14, "Superior Sea View", "departed", "Anniversary: bottle of wine on arrival.")],
     [("bed", "Double"), ("smoking", "Non-smoking"), ("floor", "High floor")]),
    ("kmr", "Иван", "Петров", "ru", "RU", "luxury", ["+7 916 123-45-67"], ["ivan.petrov@mail.ru"],
     [(-2, 10, "Sea Suite", "in_house", "Просили номер на верхнем этаже.")],
     [("view", "Sea view"), ("occasion", "Birthday in August")]),
    ("bdr", "Emily", "Clarke", "en", "GB", "couple", ["+44 7400 123456"],
     ["emily.clarke@example.co.uk"], [(-90, 7, "Junior Suite", "departed", "")],
     [("bed", "King")]),
]  # fmt: skip


def seed_showcase(by_code: dict[str, Property]) -> int:
    """Create the SHOWCASE guests that are not there yet; returns how many."""
    today = timezone.localdate()
    created = 0
    for code, first, last, lang, nat, segment, phones, emails, stays, prefs in SHOWCASE:
        prop = by_code[code]
        if Guest.objects.filter(property=prop, first_name=first, last_name=last).exists():
            continue
        guest = services.guest_create(
            property=prop, first_name=first, last_name=last, language=lang, nationality=nat,
            segment=segment, phones=phones, emails=emails,
        )  # fmt: skip
        guest.source_channel = "crm_campaign" if segment == "family" else "ota"
        guest.last_campaign = CAMPAIGNS[lang][0]
        guest.last_campaign_at = timezone.now() - timedelta(days=20)
        guest.save(update_fields=["source_channel", "last_campaign", "last_campaign_at"])
        # Calls allowed, messages refused, e-mail never asked: all three states on one card.
        consent_record(guest=guest, type="ARAMA", status="ONAY", source="HS_WEB",
                       recipient=phones[0])  # fmt: skip
        consent_record(guest=guest, type="MESAJ", status="RET", source="HS_CAGRI_MERKEZI",
                       recipient=phones[0])  # fmt: skip
        room_rates = dict(ROOM_TYPES[code])
        for offset, nights, room, status, notes in stays:
            arrival = today + timedelta(days=offset)
            Stay.objects.create(
                property=prop, guest=guest, arrival=arrival,
                departure=arrival + timedelta(days=nights), room_type=room,
                pms_reservation_id=f"{code.upper()}-D{guest.pk:06d}{offset:+05d}",
                adults=2, children=2 if segment == "family" else 0,
                total_revenue=Decimal(room_rates[room] * nights), currency="EUR",
                status=status, notes=notes, board="AI",
            )  # fmt: skip
        for key, value in prefs:
            Preference.objects.create(guest=guest, key=key, value=value, source="crm")
        created += 1
    return created


def seed_reference() -> list[Property]:
    """The chain, its hotels and their staff; safe to run again."""
    chain, _ = Chain.objects.get_or_create(name="Akdeniz Resorts")
    by_code = {}
    for code, name, region, numbers in PROPERTIES:
        prop, _ = Property.objects.get_or_create(
            code=code, defaults={"chain": chain, "name": name, "region": region}
        )
        for number in numbers:
            PropertyNumber.objects.get_or_create(number=number, defaults={"property": prop})
        by_code[code] = prop
    # A phone system to try the screen-pop with (README: "Try a call").
    Pbx.objects.get_or_create(
        name="Demo PBX", defaults={"kind": PbxKind.GENERIC, "token": DEMO_PBX_TOKEN}
    )
    User = get_user_model()
    # One hash for all: PBKDF2 is slow on purpose, 21 times would be seconds.
    password_hash = make_password(DEMO_PASSWORD)
    for username, first, last, role, codes, languages, extension in STAFF:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.password = password_hash
            user.is_superuser = role == Role.ADMIN
            user.save()
        profile = services.agent_setup(
            user=user,
            role=role,
            properties=[by_code[c] for c in codes],
            languages=languages,
            extension=extension,
        )
        if created:
            services.agent_set_status(agent=profile, status=AgentStatus.OFFLINE)
    seed_showcase(by_code)
    return list(by_code.values())


TABLES = [
    (Guest._meta.db_table, GUEST_COLUMNS, "guests"),
    (ContactPoint._meta.db_table, CONTACT_COLUMNS, "contacts"),
    (Stay._meta.db_table, STAY_COLUMNS, "stays"),
    (Preference._meta.db_table, PREFERENCE_COLUMNS, "preferences"),
    (ConsentRecord._meta.db_table, CONSENT_COLUMNS, "consents"),
]


# From this many guests on, plain indexes are dropped and rebuilt after the load.
REBUILD_INDEXES_FROM = 50_000


def seed_guests(
    count: int,
    *,
    properties: list[Property],
    seed: int = 360,
    batch_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Generate and write ``count`` guests; returns the rows written per table."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    prop_refs = [(p.pk, p.code) for p in properties]
    totals = {key: 0 for _t, _c, key in TABLES}
    vendor = connection.vendor
    with transaction.atomic():
        ids = {
            "guest": IdCounter(_max_id(Guest)),
            "contact": IdCounter(_max_id(ContactPoint)),
            "stay": IdCounter(_max_id(Stay)),
            "preference": IdCounter(_max_id(Preference)),
            "consent": IdCounter(_max_id(ConsentRecord)),
        }
        dropped = []
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                # Django's FKs are DEFERRABLE INITIALLY DEFERRED: millions of queued
                # checks would block the index rebuild below; check row by row.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if count >= REBUILD_INDEXES_FROM:
                dropped = _drop_secondary_indexes()
        done = 0
        while done < count:
            n = min(batch_size, count - done)
            rows = generate_batch(rng, n, properties=prop_refs, ids=ids, today=today, now=now)
            for table, columns, key in TABLES:
                _write(table, columns, getattr(rows, key))
                totals[key] += len(getattr(rows, key))
            done += n
            if progress:
                progress(done)
        with connection.cursor() as cursor:
            for indexdef in dropped:
                cursor.execute(indexdef)
        _reset_sequences()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for table, _c, _k in TABLES:
                cursor.execute(f"ANALYZE {table}")
    return totals


def _max_id(model) -> int:
    return model.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is ~10x faster than INSERT for bulk loads; psycopg escapes.
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def _drop_secondary_indexes() -> list[str]:
    """Plain (non-unique, non-constraint) indexes of the bulk tables are rebuilt
    once after the load instead of being updated row by row."""
    tables = [t for t, _c, _k in TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _def in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [indexdef for _name, indexdef in found]


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's rowid continues from max(id) by itself
    with connection.cursor() as cursor:
        for table, _c, _k in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
