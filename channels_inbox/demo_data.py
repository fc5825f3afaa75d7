"""The inbox of the demo chain: a WhatsApp number, an Instagram account and a
web chat widget per hotel, the answer bank in four languages, approved
WhatsApp templates, tag sets, and a morning's worth of guest messages sent
through the same path as real ones (inbound.message_receive), so triage and
routing run on them. ``manage.py seed_demo`` calls seed_inbox()."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_inbox import inbound
from channels_inbox.channels.base import InboundMessage
from channels_inbox.models import (
    CannedReply,
    ChannelAccount,
    ChannelKind,
    Message,
    ReplyCategory,
    Tag,
    TagKind,
    WhatsAppTemplate,
)
from guestview.models import Property

DEMO_APP_SECRET = "demo-meta-app-secret"  # noqa: S105 - the demo's, printed in the README
DEMO_VERIFY_TOKEN = "demo-verify-token"  # noqa: S105

CANNED = {
    ReplyCategory.GREETING: {
        "tr": ("Karşılama", "Merhaba {guest_name}, {hotel_name}'a hoş geldiniz! Ben {agent_name}, size nasıl yardımcı olabilirim?"),
        "en": ("Welcome", "Hello {guest_name}, welcome to {hotel_name}! I'm {agent_name} — how can I help you?"),
        "de": ("Begrüßung", "Hallo {guest_name}, willkommen im {hotel_name}! Ich bin {agent_name} – wie kann ich Ihnen helfen?"),
        "ru": ("Приветствие", "Здравствуйте, {guest_name}! Добро пожаловать в {hotel_name}. Меня зовут {agent_name}, чем могу помочь?"),
    },
    ReplyCategory.RESERVATION: {
        "tr": ("Tarih ve kişi sayısı", "Memnuniyetle yardımcı olurum {guest_name}. Giriş-çıkış tarihlerinizi, yetişkin ve çocuk sayısını (çocukların yaşlarıyla) yazar mısınız? Size iki seçenek hazırlayacağım."),
        "en": ("Dates and party", "Happy to help, {guest_name}. Could you send your arrival and departure dates and how many adults and children (with ages)? I'll prepare two options for you."),
        "de": ("Reisedaten", "Sehr gerne, {guest_name}. Nennen Sie mir bitte An- und Abreisedatum sowie die Zahl der Erwachsenen und Kinder (mit Alter)? Ich stelle Ihnen zwei Angebote zusammen."),
        "ru": ("Даты и состав", "С удовольствием помогу, {guest_name}. Напишите, пожалуйста, даты заезда и выезда, количество взрослых и детей (с возрастом) — я подготовлю два варианта."),
    },
    ReplyCategory.CANCEL_CHANGE: {
        "tr": ("İptal / değişiklik", "{guest_name}, rezervasyon numaranızı paylaşır mısınız? İptal ve tarih değişikliği koşullarını kontrol edip hemen dönüş yapacağım."),
        "en": ("Cancel / change", "{guest_name}, could you share your reservation number? I'll check the cancellation and date-change terms and get back to you right away."),
        "de": ("Storno / Umbuchung", "{guest_name}, teilen Sie mir bitte Ihre Buchungsnummer mit? Ich prüfe die Storno- und Umbuchungsbedingungen und melde mich sofort."),
        "ru": ("Отмена / изменение", "{guest_name}, пришлите, пожалуйста, номер бронирования — я проверю условия отмены и изменения дат и сразу отвечу."),
    },
    ReplyCategory.PAYMENT: {
        "tr": ("Ödeme seçenekleri", "Ödemeyi güvenli ödeme linkiyle, havale/EFT ile veya girişte yapabilirsiniz. Kart bilgilerinizi lütfen mesajla paylaşmayın; size güvenli link gönderebilirim."),
        "en": ("Payment options", "You can pay by secure payment link, bank transfer or at check-in. Please never send card details by message — I can send you a secure link."),
        "de": ("Zahlungsarten", "Sie können per sicherem Zahlungslink, Überweisung oder beim Check-in zahlen. Bitte senden Sie keine Kartendaten per Nachricht – ich schicke Ihnen gern einen sicheren Link."),
        "ru": ("Способы оплаты", "Оплатить можно по защищённой ссылке, банковским переводом или при заезде. Пожалуйста, не присылайте данные карты в сообщении — я отправлю защищённую ссылку."),
    },
    ReplyCategory.CHECK_IN_OUT: {
        "tr": ("Giriş / çıkış saatleri", "Giriş saatimiz 14:00, çıkış 12:00. Erken giriş ve geç çıkış müsaitliğe göre mümkün; isterseniz not alayım."),
        "en": ("Check-in / out times", "Check-in is from 14:00 and check-out until 12:00. Early check-in and late check-out depend on availability — shall I note a request?"),
        "de": ("Check-in / Check-out", "Check-in ab 14:00 Uhr, Check-out bis 12:00 Uhr. Früher Check-in und später Check-out je nach Verfügbarkeit – soll ich es vormerken?"),
        "ru": ("Заезд / выезд", "Заезд с 14:00, выезд до 12:00. Ранний заезд и поздний выезд — по наличию; записать ваш запрос?"),
    },
    ReplyCategory.TRANSFER: {
        "tr": ("Havalimanı transferi", "Antalya Havalimanı'ndan transferimiz var. Uçuş numaranızı ve iniş saatinizi yazarsanız aracınızı ayarlayalım."),
        "en": ("Airport transfer", "We offer transfers from Antalya Airport. Send your flight number and landing time and we'll book your car."),
        "de": ("Flughafentransfer", "Wir bieten Transfers ab Flughafen Antalya an. Schicken Sie uns Flugnummer und Landezeit, dann buchen wir Ihr Fahrzeug."),
        "ru": ("Трансфер", "Есть трансфер из аэропорта Анталии. Пришлите номер рейса и время прилёта — мы закажем машину."),
    },
    ReplyCategory.COMPLAINT: {
        "tr": ("Şikâyet – özür", "{guest_name}, yaşadığınız sorun için çok üzgünüz. Konuyu hemen ilgili ekibe iletiyorum; 15 dakika içinde size dönüş yapılacak."),
        "en": ("Complaint – apology", "{guest_name}, we are very sorry about this. I'm passing it to the team on duty now; you'll hear back within 15 minutes."),
        "de": ("Beschwerde – Entschuldigung", "{guest_name}, das tut uns sehr leid. Ich gebe es sofort an das zuständige Team weiter; Sie hören innerhalb von 15 Minuten von uns."),
        "ru": ("Жалоба – извинение", "{guest_name}, приносим искренние извинения. Я сразу передаю вопрос дежурной службе — вам ответят в течение 15 минут."),
    },
    ReplyCategory.CLOSING: {
        "tr": ("Kapanış", "Başka bir konuda yardımcı olabilir miyim? İyi günler dileriz — {hotel_name}"),
        "en": ("Closing", "Is there anything else I can help with? Have a lovely day — {hotel_name}"),
        "de": ("Abschluss", "Kann ich sonst noch helfen? Einen schönen Tag – {hotel_name}"),
        "ru": ("Завершение", "Могу ли я ещё чем-то помочь? Хорошего дня — {hotel_name}"),
    },
}  # fmt: skip

# Greeting + clear information + a question: the 3-line WhatsApp template.
TEMPLATES = {
    "tr": "Merhaba {{1}},\nKonuştuğumuz iki seçeneği hazırladık.\nSize uygun olanı buradan yazabilir misiniz?",
    "en_US": "Hello {{1}},\nWe've prepared the two options we talked about.\nWhich one suits you best?",
    "de": "Hallo {{1}},\nwir haben die besprochenen zwei Angebote vorbereitet.\nWelches passt Ihnen am besten?",
    "ru": "Здравствуйте, {{1}}!\nМы подготовили два варианта, о которых говорили.\nКакой вам подходит больше?",
}  # fmt: skip

TAGS = {
    TagKind.CHANNEL: ["organic", "campaign", "OTA guest"],
    TagKind.LANGUAGE: ["needs interpreter"],
    TagKind.TOPIC: ["early booking", "family", "honeymoon", "spa", "transfer", "group"],
    TagKind.URGENCY: ["arrives today", "in house"],
    TagKind.REVENUE: ["high value", "upsell chance"],
}

# (hotel, channel, contact key, name, minutes ago, text)
MESSAGES = [
    ("blk", "whatsapp", "+905321234567", "Ahmet Yılmaz", 42, "Merhaba, yarın için 2 yetişkin 2 çocuk aile odası var mı?"),
    ("blk", "whatsapp", "+4915123456789", "Hans Müller", 35, "Guten Tag, ist vom 12. bis 19. Juli ein Zimmer mit Meerblick frei?"),
    ("blk", "whatsapp", "+447700900123", "Emily Clarke", 18, "Hi! We were charged twice for our booking, can you check please?"),
    ("blk", "instagram", "1143546479620573", "", 12, "Hello, do you have a spa package for honeymooners in September?"),
    ("blk", "whatsapp", "+905551112233", "Murat Kaya", 7, "Odamız çok kirli ve klima çalışmıyor, rezalet!"),
    ("sde", "whatsapp", "+79161234567", "Иван Петров", 50, "Здравствуйте! Хочу изменить даты бронирования на август."),
    ("sde", "whatsapp", "+905327654321", "Zeynep Arslan", 25, "Transfer ücretli mi? Uçağımız 14:30'da iniyor."),
    ("sde", "instagram", "2200140011223344", "", 9, "Bonjour, avez-vous des chambres familiales?"),
    ("kmr", "whatsapp", "+79031234567", "Ольга Смирнова", 30, "Добрый день, можно оплатить бронь картой при заезде?"),
    ("kmr", "whatsapp", "+4917612345678", "Katrin Weber", 14, "Danke für die schnelle Antwort! 😊"),
    ("bdr", "whatsapp", "+905301112244", "Elif Şahin", 20, "İyi günler, bu hafta sonu için müsaitlik var mı?"),
    ("bdr", "whatsapp", "+447911123456", "Oliver Brown", 5, "Can we get a late check-out tomorrow?"),
]  # fmt: skip


def seed_inbox(properties: list[Property]) -> int:
    """Accounts, answer bank, templates and tags (idempotent); the demo
    messages only when the inbox is empty. Returns messages created."""
    by_code = {p.code: p for p in properties}
    accounts: dict[tuple[str, str], ChannelAccount] = {}
    for code, prop in by_code.items():
        for kind, external_id, name in [
            (ChannelKind.WHATSAPP, f"demo-wa-{code}", f"{prop.name} WhatsApp"),
            (ChannelKind.INSTAGRAM, f"demo-ig-{code}", f"@{code}.akdenizresorts"),
            (ChannelKind.WEBCHAT, f"demo-webchat-{code}", f"{prop.name} web chat"),
        ]:
            account, _ = ChannelAccount.objects.get_or_create(
                kind=kind,
                external_id=external_id,
                defaults={
                    "property": prop,
                    "name": name,
                    "access_token": "demo-token",
                    "app_secret": DEMO_APP_SECRET if kind != ChannelKind.WEBCHAT else "",
                    "verify_token": DEMO_VERIFY_TOKEN if kind != ChannelKind.WEBCHAT else "",
                    "allowed_origins": "http://127.0.0.1:8000\nhttp://localhost:8000",
                },
            )
            accounts[(code, kind)] = account
            if kind == ChannelKind.WHATSAPP:
                for language, body in TEMPLATES.items():
                    WhatsAppTemplate.objects.get_or_create(
                        account=account, name="two_options_follow_up", language=language,
                        defaults={"body": body, "is_approved": True},
                    )  # fmt: skip
    for category, by_language in CANNED.items():
        for language, (title, text) in by_language.items():
            CannedReply.objects.get_or_create(
                category=category, language=language, title=title, defaults={"text": text}
            )
    for kind, names in TAGS.items():
        for name in names:
            Tag.objects.get_or_create(kind=kind, name=name)
    if Message.objects.exists():
        return 0
    now = timezone.now()
    for n, (code, kind, key, name, minutes, text) in enumerate(MESSAGES):
        incoming = InboundMessage(
            external_id=f"demo-{n}",
            contact_key=key,
            contact_kind=kind,
            contact_name=name,
            sent_at=now - timedelta(minutes=minutes),
            text=text,
            account_external_id=accounts[(code, kind)].external_id,
        )
        with transaction.atomic():  # message_receive locks the conversation row
            inbound.message_receive(source=kind, incoming=incoming)
    return len(MESSAGES)
