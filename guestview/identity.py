"""Guest identity keys: how raw phone numbers, e-mails and names become the
normalized values that ContactPoint and Guest are indexed on.

The screen-pop (guestview), the inbox (channels_inbox) and the lead intake all
resolve people through these functions; change them only with a data migration
that re-normalizes stored values.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

# What agents and PBXs put around digits: spaces, dots, dashes, slashes, brackets.
_PHONE_NOISE = re.compile(r"[\s.\-/()\[\]]+")
_PHONE_SHAPE = re.compile(r"^\+?\d{6,17}$")


def normalize_phone(raw: str, default_region: str = "TR") -> str | None:
    """Return the E.164 form of ``raw`` (``+905321234567``) or None.

    Handles national (``0532 123 45 67``), bare (``532 123 4567``), international
    with ``+`` or the ``00`` prefix (``0090532…``, ``0049 151 …``) and SIP-style
    noise. Numbers that ``phonenumbers`` does not consider valid are rejected, so
    an extension like ``201`` or a reservation id is never mistaken for a phone.
    """
    if not raw:
        return None
    text = raw.strip()
    if text.lower().startswith(("tel:", "sip:")):
        text = text.split(":", 1)[1].split("@", 1)[0]
    compact = _PHONE_NOISE.sub("", text)
    if not _PHONE_SHAPE.match(compact):
        return None
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        parsed = phonenumbers.parse(compact, None if compact.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """``+905321234567`` → ``+90 532 123 45 67`` for display."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(raw: str) -> str | None:
    """Lower-cased, trimmed address, or None when it is not an e-mail address."""
    value = (raw or "").strip().lower()
    return value if _EMAIL.match(value) else None


_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_NOT_NAME = re.compile(r"[^\w\s]+")


def fold_name(raw: str) -> str:
    """The search key of a name: case- and accent-free, Turkish-aware.

    "Ahmet Yılmaz", "AHMET YILMAZ" and "ahmet yilmaz" fold to the same key
    (İ/I/ı/i all become i, ş→s, ğ→g, ü→u, ö→o, ç→c, ß→ss), so do "Müller" and
    "muller". Cyrillic stays Cyrillic (ё→е); ``name_search_key`` adds a
    Latin transliteration next to it.
    """
    decomposed = unicodedata.normalize("NFKD", raw.replace("ı", "i").replace("İ", "I"))
    # й is a letter of its own in Russian (Andrey, Sergey), not an accented и.
    decomposed = decomposed.replace("\u0438\u0306", "\u0439").replace("\u0418\u0306", "\u0419")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NOT_NAME.sub(" ", stripped.casefold()).split()
    return " ".join(words)


def transliterate(folded: str) -> str:
    return "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in folded)


def name_search_key(*parts: str) -> str:
    """What Guest.search_name stores: the folded name, plus its Latin spelling
    when it is written in Cyrillic, so "ivan petrov" finds "Иван Петров"."""
    folded = fold_name(" ".join(p for p in parts if p))
    latin = transliterate(folded)
    return folded if latin == folded else f"{folded} {latin}"
