"""Triage of a guest's message: which language, what it is about, how urgent
(BRIEF.md §2). Used for every inbound conversation (channels_inbox.services);
pure, deterministic, no database.

- language ∈ tr en de ru other: lingua-language-detector (it ships its models
  and is made for short text), restricted to the languages hotels see, with
  cheap hints where a two-word message gives lingua too little: Cyrillic
  script, Turkish letters, and the commonest words of each language.
- scenario ∈ reservation change_cancel info complaint payment other: word
  stems per language on folded text. When several match, the more urgent
  wins: complaint > change_cancel > payment > reservation > info ("I want to
  cancel my reservation" is a cancellation; "dirty room, I want a refund" is
  a complaint).
- priority ∈ critical high medium low: critical = complaint or crisis; high =
  reservation intent, or any request about today or tomorrow (words or dates,
  on the Europe/Istanbul calendar day of ``received_at``); medium = the other
  requests; low = no request (thanks, greetings).

bench/triage_accuracy.py scores it on tests/channels_inbox/triage_set.jsonl.
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
     "î": "i", "û": "u", "ё": "е", "Ё": "е", "’": "'", "`": "'"}
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
_INFO = _compile(rules.INFO)
_NO_REQUEST = _compile(rules.NO_REQUEST)
_ROOM = _compile(rules.ROOM)
_AVAILABILITY = _compile(rules.AVAILABILITY)
_TODAY = _compile(rules.TODAY_WORDS)
_TOMORROW = _compile(rules.TOMORROW_WORDS)


# --- language ---------------------------------------------------------------------------

_detector = None
_detector_lock = threading.Lock()
_CODES = {"TURKISH": "tr", "ENGLISH": "en", "GERMAN": "de", "RUSSIAN": "ru"}


def _lingua():
    """Built once per process, on first use (loading takes about a second)."""
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
                _detector = LanguageDetectorBuilder.from_languages(*languages).build()
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
        if _UKRAINIAN_ONLY.search(text):
            return "other"
        latin = sum(1 for w in words if not _CYRILLIC.search(w))
        if latin <= len(words) // 2:
            return "ru"
    folded_words = _WORD.findall(fold(text))
    hits = {
        code: sum(1 for w in folded_words if w in vocabulary)
        for code, vocabulary in rules.LANGUAGE_WORDS.items()
    }
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
    """(scenario, crisis)."""
    crisis = bool(_CRISIS.search(folded))
    if crisis or _COMPLAINT.search(folded):
        return "complaint", crisis
    if _CHANGE.search(folded):
        return "change_cancel", False
    if _PAYMENT.search(folded):
        return "payment", False
    room = bool(_ROOM.search(folded))
    if room and _AVAILABILITY.search(folded):
        return "reservation", False
    info = bool(_INFO.search(folded))
    if _RESERVATION.search(folded) and (room or not info):
        return "reservation", False
    if info:
        return "info", False
    if "?" in folded and not _NO_REQUEST.search(folded):
        return "info", False  # a question we have no word for is still a request
    return "other", False


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
