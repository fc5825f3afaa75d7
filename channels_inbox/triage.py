"""Triage of a guest's message: which language, what it is about, how urgent
(BRIEF.md §2). Used for every inbound conversation (channels_inbox.services);
pure, deterministic, no database.

- language ∈ tr en de ru other: lingua-language-detector (it ships its models
  and is made for short text), restricted to the languages hotels see, with
  cheap hints where a two-word message gives lingua too little: Cyrillic
  script, Turkish letters, and the commonest words of each language.
- scenario ∈ reservation change_cancel info complaint payment other: word
  stems per language on folded text (Russian typed in Latin letters too).
  When several match, the more urgent wins: complaint > change_cancel >
  payment > reservation > info ("I want to cancel my reservation" is a
  cancellation; "dirty room, I want a refund" is a complaint), with the
  exceptions detect_scenario lists.
- priority ∈ critical high medium low: critical = complaint or crisis; high =
  reservation intent, or any request about today or tomorrow (words or dates,
  on the Europe/Istanbul calendar day of ``received_at``); medium = the other
  requests; low = no request (thanks, greetings).

bench/triage_accuracy.py scores it on tests/channels_inbox/triage_set.jsonl
(1,445 messages; 1,200 of them written in six sets by writers who saw neither
these rules nor the other sets, each measured before it was tuned on).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from channels_inbox import triage_rules as rules

ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")


@dataclass(frozen=True)
class Triage:
    language: str
    scenario: str
    priority: str
    reasons: tuple[str, ...] = ()


# --- folding ----------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"ı": "i", "İ": "i", "ş": "s", "Ş": "s", "ğ": "g", "Ğ": "g", "ç": "c", "Ç": "c",
     "ö": "o", "Ö": "o", "ü": "u", "Ü": "u", "ä": "a", "Ä": "a", "ß": "ss", "â": "a",
     "î": "i", "û": "u", "ł": "l", "Ł": "l", "؟": "?", "ё": "е", "Ё": "е", "’": "'", "`": "'"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case ASCII-ish form for matching: Turkish I/ı/İ/i all become i
    (guests type without Turkish letters), German umlauts lose their dots."""
    text = text.translate(_FOLD).lower()
    # Remaining accents of Latin letters (é, à, ñ) go too; Cyrillic letters
    # keep theirs (й is not и).
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", "".join(kept))).strip()


def _compile(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_COMPLAINT = _compile(rules.COMPLAINT)
_CRISIS = _compile(rules.CRISIS)
_CHANGE = _compile(rules.CHANGE_CANCEL)
_PAYMENT = _compile(rules.PAYMENT)
_RESERVATION = _compile(rules.RESERVATION)
_INFO_QUESTIONS = _compile(rules.INFO_QUESTIONS + rules.QUESTION_WORDS)
_INFO_TOPIC = _compile(rules.INFO + rules.INFO_FEATURES)
_SERVICE_BOOKING = _compile(rules.SERVICE_BOOKING)
_EXISTING_BOOKING = _compile(rules.EXISTING_BOOKING)
_QUESTION_WORDS = _compile(rules.QUESTION_WORDS)
_NO_REQUEST = _compile(rules.NO_REQUEST)
_ROOM = _compile(rules.ROOM)
_STAY = _compile([p for p in rules.ROOM if p not in set(rules.PARTY)])
_PRICE_OF_SERVICE = _compile(rules.PRICE_OF_SERVICE)
_PRAISE = _compile(rules.PRAISE)
_RESERVATION_STRONG = _compile(rules.RESERVATION_STRONG)
_PAYMENT_PROBLEM = _compile(rules.PAYMENT_PROBLEM)
_ILLNESS = _compile(rules.ILLNESS)
_AVAILABILITY = _compile(rules.AVAILABILITY)
_TODAY = _compile(rules.TODAY_WORDS)
_TOMORROW = _compile(rules.TOMORROW_WORDS)


# --- language ---------------------------------------------------------------------------

_detector = None
_detector_lock = threading.Lock()
_CODES = {"TURKISH": "tr", "ENGLISH": "en", "GERMAN": "de", "RUSSIAN": "ru"}


def warm_up() -> None:
    """Load the language models now, at a process's start (web: config.asgi,
    worker: config.celery), not on the first guest message. lingua 2.1 (the
    newest for Python 3.11) loads them lazily: the first detection took 4 s
    here, 10 s on a busy machine, and the process grows by ~450 MB either way;
    up front it takes 2.5 s. lingua 2.2 (Python 3.12+, the Docker image)
    needs ~50 MB and milliseconds, so this costs it nothing."""
    _lingua()


def _lingua():
    """Built once per process, every model loaded at once (warm_up)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [
                    Language.TURKISH, Language.ENGLISH, Language.GERMAN, Language.RUSSIAN,
                    # Seen at resort hotels; answered as "other".
                    Language.FRENCH, Language.SPANISH, Language.ITALIAN, Language.DUTCH,
                    Language.POLISH, Language.UKRAINIAN, Language.ARABIC, Language.PERSIAN,
                    Language.ROMANIAN, Language.CZECH, Language.SWEDISH, Language.DANISH,
                    Language.PORTUGUESE, Language.AZERBAIJANI, Language.KAZAKH,
                ]  # fmt: skip
                _detector = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_UKRAINIAN_ONLY = re.compile(r"[іїєґ]", re.IGNORECASE)
_TURKISH_ONLY = re.compile(r"[ğışİĞŞ]")
_GERMAN_ONLY = re.compile(r"ß")


def detect_language(text: str) -> str:
    words = _WORD.findall(text)
    if not words:
        return "other"  # emoji, numbers, a photo without a caption
    if _CYRILLIC.search(text):
        lowered = {w.lower() for w in words}
        if _UKRAINIAN_ONLY.search(text) or lowered & rules.UKRAINIAN_WORDS:
            return "other"
        latin = sum(1 for w in words if not _CYRILLIC.search(w))
        if latin <= len(words) // 2:
            return "ru"
    folded_words = _WORD.findall(fold(text))
    hits = {
        code: sum(1 for w in folded_words if w in vocabulary)
        for code, vocabulary in rules.LANGUAGE_WORDS.items()
    }
    russian_latin = sum(1 for w in folded_words if w in rules.RUSSIAN_LATIN)
    latin_ru = russian_latin >= 2 and russian_latin >= max(hits.values())
    if latin_ru and not _TURKISH_ONLY.search(text):
        return "ru"  # Russian typed in Latin letters, which lingua does not know
    hits["ru"] = russian_latin  # and "ok, spasibo", by the short-text rule below
    if _TURKISH_ONLY.search(text):
        hits["tr"] += 2
    if _GERMAN_ONLY.search(text):
        hits["de"] += 2
    best = max(hits, key=hits.get)
    ranked = sorted(hits.values(), reverse=True)
    # Short texts: trust the word lists when they agree (lingua has too little).
    if len(folded_words) <= 4 and ranked[0] >= 1 and ranked[0] > ranked[1]:
        return best
    confidences = _lingua().compute_language_confidence_values(text)
    top = confidences[0]
    code = _CODES.get(top.language.name, "other")
    if code == "other" and ranked[0] >= 2 and ranked[0] > ranked[1]:
        return best  # mixed or misspelled text with clear words of ours
    if code != "other" and top.value < 0.5 and ranked[0] >= 2 and ranked[0] > ranked[1]:
        return best
    return code


# --- dates ------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(
    r"\b(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?)\b"
)
_MONTH_WORD = "|".join(sorted((re.escape(m) for m in rules.MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|\.)?(?: of)? ({_MONTH_WORD})")
_MONTH_DAY = re.compile(rf"\b({_MONTH_WORD}) (\d{{1,2}})(?:st|nd|rd|th)?\b")
# "from the 10th to the 12th of July", "с 13 на 16 июня", "3-10 ağustos": the
# first day is in the month of the second.
_RANGE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|\.)?\s*(?:-|–|to|bis|до|на|по)\s*(?:the )?(\d{{1,2}})"
    rf"(?:st|nd|rd|th|\.)?(?: of)? ({_MONTH_WORD})"
)
# "leaving on the 16th", "16-го": a day of this month (or the next, once it passed).
_BARE_DAY = re.compile(
    rf"\bthe (\d{{1,2}})(?:st|nd|rd|th)\b(?! (?:of )?(?:{_MONTH_WORD}))|\b(\d{{1,2}})-?го\b"
)


def _resolve(day: int, month: int, year: int | None, today: date) -> date | None:
    candidates = [year] if year else [today.year, today.year + 1]
    for y in candidates:
        try:
            found = date(y, month, day)
        except ValueError:
            continue
        if year or found >= today - timedelta(days=1):
            return found
    return None


def mentioned_dates(folded: str, today: date) -> list[date]:
    """Explicit dates in the text; a date without a year is its next
    occurrence (1 January, written on 31 December, is tomorrow)."""
    found: list[date] = []
    for match in _NUMERIC_DATE.finditer(folded):
        iso_y, iso_m, iso_d, d, m, y = match.groups()
        if iso_y:
            day, month, year = int(iso_d), int(iso_m), int(iso_y)
        else:
            day, month = int(d), int(m)
            year = int(y) + (2000 if y and len(y) == 2 else 0) if y else None
        if 1 <= month <= 12 and 1 <= day <= 31:
            resolved = _resolve(day, month, year, today)
            if resolved:
                found.append(resolved)
    for match in _DAY_MONTH.finditer(folded):
        resolved = _resolve(int(match.group(1)), rules.MONTHS[match.group(2)], None, today)
        if resolved:
            found.append(resolved)
    for match in _MONTH_DAY.finditer(folded):
        resolved = _resolve(int(match.group(2)), rules.MONTHS[match.group(1)], None, today)
        if resolved:
            found.append(resolved)
    for match in _RANGE.finditer(folded):
        resolved = _resolve(int(match.group(1)), rules.MONTHS[match.group(3)], None, today)
        if resolved:
            found.append(resolved)
    for match in _BARE_DAY.finditer(folded):
        day = int(match.group(1) or match.group(2))
        month, year = today.month, today.year
        if day < today.day - 1:
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
        resolved = _resolve(day, month, year, today)
        if resolved:
            found.append(resolved)
    return found


def mentions_today_or_tomorrow(folded: str, received_at: datetime) -> str | None:
    today = received_at.astimezone(ISTANBUL).date()
    if _TODAY.search(folded):
        return "today"
    if _TOMORROW.search(folded):
        return "tomorrow"
    for day in mentioned_dates(folded, today):
        if day == today:
            return "today"
        if day == today + timedelta(days=1):
            return "tomorrow"
    return None


# --- scenario and priority ----------------------------------------------------------------


def detect_scenario(folded: str) -> tuple[str, bool]:
    """(scenario, crisis). In order: a payment that fails; a crisis or a
    complaint; a change or cancellation (an illness that is only its reason
    stays a cancellation); a payment (not the price of a service asked
    about); a service booked (a table, a massage: info); praise or thanks;
    then a stay asked for, told from a question about the hotel by its
    topic (a service or room feature named); then info; then nothing."""
    if _PAYMENT_PROBLEM.search(folded):
        return "payment", False
    crisis = bool(_CRISIS.search(folded))
    if crisis or _COMPLAINT.search(folded):
        return "complaint", crisis
    if _CHANGE.search(folded):
        return "change_cancel", False
    if _ILLNESS.search(folded):
        return "complaint", True
    topic = bool(_INFO_TOPIC.search(folded))  # a service or a feature of the hotel
    if _PAYMENT.search(folded) and not (topic and _PRICE_OF_SERVICE.search(folded)):
        return "payment", False
    if _SERVICE_BOOKING.search(folded):
        return "info", False  # a table, a massage, a trip: not a stay
    if "?" not in folded and (_PRAISE.search(folded) or _thanks_only(folded, topic)):
        return "other", False
    if _RESERVATION_STRONG.search(folded):
        return "reservation", False
    room = bool(_ROOM.search(folded))
    stay = bool(_STAY.search(folded))
    reservation = bool(_RESERVATION.search(folded)) and not _EXISTING_BOOKING.search(folded)
    if room and _AVAILABILITY.search(folded) and not topic:
        return "reservation", False
    # Generic question words ("can I", "haben Sie") ask for a stay as well as
    # for a service; a topic or "a question" says what the message is about.
    if reservation and (stay or not (topic or _QUESTION_WORDS.search(folded))):
        return "reservation", False
    if _NIGHTS.search(folded) and (_AVAILABILITY.search(folded) or "?" in folded):
        return "reservation", False  # "5 Nächte Ende Oktober, habt ihr was mit Pool?"
    # The topic was searched above: only the question words are left to look for.
    info = topic or bool(_INFO_QUESTIONS.search(folded))
    if info:
        return "info", False
    if _greeting_only(folded):
        return "other", False
    if "?" in folded and not _NO_REQUEST.search(folded):
        return "info", False  # a question we have no word for is still a request
    return "other", False


_NIGHTS = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|zwei|drei|vier|funf|sechs|sieben) "
    r"(?:nights?|gece|nachte?|naechte|nachten|ноч\w*|nochi|nochey)\b"
)


def _thanks_only(folded: str, topic: bool) -> bool:
    """'ok great, thanks for the info': thanks, and nothing asked."""
    return bool(_NO_REQUEST.search(folded)) and not topic and len(_WORD.findall(folded)) <= 8


def _greeting_only(folded: str) -> bool:
    """'Hello?', 'Merhaba', '?': nothing asked yet."""
    return all(w in rules.GREETINGS for w in _WORD.findall(folded))


def triage(text: str, *, received_at: datetime) -> Triage:
    text = (text or "").strip()
    language = detect_language(text)
    folded = fold(text)
    scenario, crisis = detect_scenario(folded)
    reasons = [f"scenario:{scenario}"] + (["crisis"] if crisis else [])
    when = mentions_today_or_tomorrow(folded, received_at) if scenario != "other" else None
    if when:
        reasons.append(f"date:{when}")
    if scenario == "complaint":
        priority = "critical"
    elif scenario == "reservation" or when:
        priority = "high"
    elif scenario in ("info", "change_cancel", "payment"):
        priority = "medium"
    else:
        priority = "low"
    return Triage(language=language, scenario=scenario, priority=priority, reasons=tuple(reasons))
