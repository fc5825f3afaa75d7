"""Identifiers that never belong in a note: T.C. kimlik no, card numbers,
IBANs (found by their checksums, so a booking reference that fails them goes
through) and passport numbers (found only next to a word that says so).

Spans are offsets into the original text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from consent.guardrails.folding import Folded, compile_words

Span = tuple[str, int, int]


def tckn_valid(digits: str) -> bool:
    """The T.C. kimlik no checksum: 11 digits, no leading 0, digit 10 from the
    odd and even positions, digit 11 from the sum of the first ten."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit() or digits[0] == "0":
        return False
    d = [int(c) for c in digits]
    odd, even = sum(d[0:9:2]), sum(d[1:8:2])
    return (odd * 7 - even) % 10 == d[9] and sum(d[:10]) % 10 == d[10]


def luhn_valid(digits: str) -> bool:
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for position, c in enumerate(reversed(digits)):
        n = int(c)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# ISO 13616 registry: the length of each country's IBAN. Without the length a
# spaced IBAN cannot be told from the words that follow it ("... 26 nolu hesap").
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 on an IBAN given without spaces (any case)."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isascii() or not iban.isalnum():
        return False
    if not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# --- digit runs: T.C. kimlik no and cards ------------------------------------------------

# Groups of digits joined by one separator (space, dash, dot, " - "): a card
# is written "4111 1111 1111 1111", a kimlik no "123 456 789 01".
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:(?: ?[-.] ?| )[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")


def _card_shape(lengths: list[int]) -> bool:
    if len(lengths) == 1:
        return 13 <= lengths[0] <= 19
    if lengths in ([4, 6, 5], [4, 6, 4]):  # American Express, Diners
        return True
    # 4-4-4-4 and its shorter or longer kin: fours, the last group 1-4 digits.
    return 4 <= len(lengths) <= 5 and all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _tckn_shape(lengths: list[int]) -> bool:
    return lengths in ([11], [3, 3, 3, 2])


def _looks_like_a_phone(digits: str) -> bool:
    # A German mobile (49 15x/16x/17x) written without its + is 13-14 digits;
    # a card starts with 0 never.
    return digits[0] == "0" or (len(digits) <= 14 and digits[:4] in ("4915", "4916", "4917"))


# E.164: a country code and number of at most 15 digits in all.
_E164_MAX_DIGITS = 15


def _phone_groups(groups: list[str]) -> int:
    """How many of ``groups``, written after a +, are the phone number: the
    most that make a valid number; if none does, as many as E.164 allows
    (one at least). What follows is text again: "+90 532 111 22 33
    10000000146" is a number and then a kimlik no."""
    fits, digits = 0, 0
    while fits < len(groups) and digits + len(groups[fits]) <= _E164_MAX_DIGITS:
        digits += len(groups[fits])
        fits += 1
    # Longest first: usually the whole run is the number, one parse.
    for count in range(fits, 0, -1):
        try:
            number = phonenumbers.parse("+" + "".join(groups[:count]), None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return count
    return max(fits, 1)


def _digit_runs(text: str) -> Iterator[Span]:
    for token in _DIGIT_GROUPS.finditer(text):
        if token.end() - token.start() < 11:
            continue  # fewer than the 11 digits of a kimlik no: a price, a room, a date
        groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(token.group())]
        base = token.start()
        after_phone = 0
        if text[max(0, token.start() - 2) : token.start()].strip().endswith("+"):
            # "+90 532 123 45 67", "+49 1711234567": a phone, whatever it adds up to
            after_phone = _phone_groups([group for _s, _e, group in groups])
        for first in range(after_phone, len(groups)):
            lengths: list[int] = []
            digits = ""
            for last in range(first, min(first + 5, len(groups))):
                digits += groups[last][2]
                lengths.append(len(groups[last][2]))
                if len(digits) > 19:
                    break
                start, end = base + groups[first][0], base + groups[last][1]
                if _tckn_shape(lengths) and tckn_valid(digits):
                    yield "national_id", start, end
                elif (
                    len(digits) >= 13
                    and _card_shape(lengths)
                    and not _looks_like_a_phone(digits)
                    and luhn_valid(digits)
                ):
                    yield "payment_card", start, end


# --- IBAN -------------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}) ?([0-9]{2})")


def _iban_shaped(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, compact) of everything written like an IBAN of a known
    country: the right length after a country code and check digits."""
    for match in _IBAN_START.finditer(text):
        country = match.group(1).upper()
        length = IBAN_LENGTHS.get(country)
        if length is None:
            continue
        chars = [country, match.group(2)]
        count, position = 4, match.end()
        while count < length and position < len(text):
            ch = text[position]
            if ch.isascii() and ch.isalnum():
                chars.append(ch)
                count += 1
                position += 1
            elif ch in " -" and position + 1 < len(text) and text[position + 1].isalnum():
                position += 1
            else:
                break
        boundary = position >= len(text) or not text[position].isalnum()
        if count == length and boundary:
            yield match.start(), position, "".join(chars)


# --- passport numbers ---------------------------------------------------------------------

# A passport number is only a passport number next to one of these words; the
# same digits alone are a booking reference. ID cards are the same document class.
PASSPORT_CONTEXT = [
    r"pas+aport~", r"pasport~", r"passport~", r"passeport~",
    r"pass ?(?:no|nr|number|num|#)\.?", r"pass-(?:no|nr|nummer)\.?", r"passnummer~",
    r"reisepass~", r"personalausweis~", r"ausweis-?(?:nr|nummer)\.?~", r"id-? ?card~",
    r"identity card~", r"kimlik kart~", r"паспорт~", r"загранпаспорт~", r"загран",
    r"удостоверени~ личности",
]  # fmt: skip

# Between the passport word and a number, one of these means the number is
# another one's: "pasaportu resepsiyonda, rez no 12345678".
OTHER_NUMBER_WORDS = [
    r"rez~", r"reservation~", r"booking~", r"buchung~", r"confirmation~", r"voucher~",
    r"onay~", r"oda", r"odasi~", r"room~", r"zimmer~", r"tel~", r"telefon~", r"phone~",
    r"gsm", r"cep", r"mobil~", r"handy~", r"flight~", r"ucus~", r"flug~", r"pnr", r"bilet~",
    r"ticket~", r"fatura~", r"invoice~", r"rechnung~", r"kart~", r"card~", r"karte~",
    r"kunden~", r"customer~", r"musteri~", r"uye~", r"member~", r"mitglied~", r"ref~",
    r"referans~", r"code~", r"kod~", r"order~", r"siparis~", r"bestell~", r"заказ~", r"клиент~",
    r"брон~", r"рейс~", r"телефон~", r"тел", r"счет~", r"карт~", r"iban",
]  # fmt: skip

_PASSPORT_CONTEXT = compile_words(PASSPORT_CONTEXT)
_OTHER_NUMBER = compile_words(OTHER_NUMBER_WORDS)
_PASSPORT_NUMBER = re.compile(
    r"(?<!\w)(?:"
    r"[a-z]{1,2}[0-9]{6,9}"  # U12345678 (Türkiye), FE123456, N12345678
    # C01X00T47, CF7K2LM9X (Germany: nine of letters and digits, some digits)
    r"|(?=[a-z]*[0-9][a-z]*[0-9])(?=[0-9]*[a-z])[a-z0-9]{8,10}"
    r"|[0-9]{2} ?[0-9]{2} ?[0-9]{6}"  # Russia, internal: 45 06 123456
    r"|[0-9]{2} ?[0-9]{2},? (?:номер|№|no|nr) ?[0-9]{6}"  # серия 45 06 номер 123456
    r"|[0-9]{2} ?[0-9]{7}"  # Russia, foreign: 75 1234567
    r"|[0-9]{8,9}"  # UK, US and most others
    r")(?!\w)"
)
# How far a number may sit from the word that makes it a passport number.
_AFTER, _BEFORE = 40, 25


def _passports(folded: Folded) -> Iterator[Span]:
    text = folded.text
    contexts = [m.span() for m in _PASSPORT_CONTEXT.finditer(text)]
    if not contexts:
        return
    for number in _PASSPORT_NUMBER.finditer(text):
        for c_start, c_end in contexts:
            if number.start() >= c_end and number.start() - c_end <= _AFTER:
                between = text[c_end : number.start()]
            elif number.end() <= c_start and c_start - number.end() <= _BEFORE:
                between = text[number.end() : c_start]
            else:
                continue
            # "pasaport resepsiyonda, rez no 12345678": the number is another one's.
            if _OTHER_NUMBER.search(between):
                continue
            yield ("passport", *folded.original_span(*number.span()))
            break


def find_identifiers(text: str, folded: Folded) -> list[Span]:
    shaped = list(_iban_shaped(text))
    found: list[Span] = [("iban", s, e) for s, e, iban in shaped if iban_valid(iban)]
    # The digits of anything written like an IBAN are its digits, valid or not
    # ("DE89 3704 0044 0532 0130 01 didn't validate"), not a card or a kimlik no.
    for span in _digit_runs(text):
        if not any(s <= span[1] and span[2] <= e for s, e, _ in shaped):
            found.append(span)
    taken = [(s, e) for _, s, e in found]
    for span in _passports(folded):
        if not any(s < span[2] and span[1] < e for s, e in taken):
            found.append(span)
    return found
