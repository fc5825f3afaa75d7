"""Identity keys: every channel resolves a person through these, so a format
that slips through here is a guest the screen-pop does not find."""

import pytest

from guestview.identity import (
    fold_name,
    format_phone,
    name_search_key,
    normalize_email,
    normalize_phone,
)

ALI_MOBILE = "+905321234567"


@pytest.mark.parametrize(
    "raw",
    [
        "0532 123 45 67",
        "05321234567",
        "+90 (532) 123-45-67",
        "+90 532 123 45 67",
        "+905321234567",
        "0090532 123 45 67",
        "0090 532 123 45 67",
        "532 123 4567",
        "5321234567",
        "0532.123.45.67",
        "0532-123-45-67",
        "(0532) 123 45 67",
        "[0532] 123/45/67",
        "  0532 123 45 67  ",
        "0532\t123 45 67",
        "tel:+905321234567",
        "sip:05321234567@pbx.local",
    ],
)
def test_it_normalizes_every_turkish_mobile_format_to_e164(raw):
    assert normalize_phone(raw) == ALI_MOBILE


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0242 310 20 30", "+902423102030"),  # Antalya landline
        ("+90 (242) 310-20-30", "+902423102030"),
        ("0212 555 12 34", "+902125551234"),  # Istanbul landline
        ("0850 222 00 00", "+908502220000"),
    ],
)
def test_it_normalizes_turkish_landlines(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "+49 151 23456789",
        "+49 (151) 2345-6789",
        "0049 151 23456789",
        "0049-151-2345-6789",
        "0049.151.2345.6789",
        "004915123456789",
    ],
)
def test_it_normalizes_german_mobiles_given_internationally(raw):
    assert normalize_phone(raw) == "+4915123456789"


@pytest.mark.parametrize(
    "raw", ["+7 916 123 45 67", "+7 (916) 123-45-67", "007 916 123 45 67", "+7.916.123.45.67"]
)
def test_it_normalizes_russian_mobiles_given_internationally(raw):
    assert normalize_phone(raw) == "+79161234567"


@pytest.mark.parametrize(
    "raw",
    [
        "201",  # a PBX extension
        "2001",
        "1234567",  # too short for any real number
        "RES123456",  # a reservation id
        "ahmet",
        "ahmet yilmaz",
        "+90532abc",
        "",
        "   ",
        "0532 123 45 6",  # one digit short
        "05321234567890123456",  # too long
        "+90 532 123 45 67 89 01 23 45",
    ],
)
def test_it_rejects_what_is_not_a_phone_number(raw):
    assert normalize_phone(raw) is None


def test_it_rejects_none():
    assert normalize_phone(None) is None


def test_it_reads_a_national_number_in_the_given_default_region():
    assert normalize_phone("0151 23456789") is None  # not a Turkish number
    assert normalize_phone("0151 23456789", default_region="DE") == "+4915123456789"


def test_it_ignores_the_default_region_when_the_country_code_is_given():
    assert normalize_phone("+90 532 123 45 67", default_region="DE") == ALI_MOBILE
    assert normalize_phone("0090 532 123 45 67", default_region="DE") == ALI_MOBILE


def test_it_formats_e164_for_display():
    assert format_phone(ALI_MOBILE) == "+90 532 123 45 67"
    assert format_phone("not a number") == "not a number"


@pytest.mark.parametrize(
    "spelling", ["Ahmet Yılmaz", "AHMET YILMAZ", "ahmet yilmaz", "ahmet yılmaz"]
)
def test_it_folds_turkish_spellings_of_a_name_to_one_key(spelling):
    assert fold_name(spelling) == "ahmet yilmaz"


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("İSMAİL", "ismail"),
        ("İsmail", "ismail"),
        ("ismail", "ismail"),
        ("Işık", "isik"),
        ("IŞIK", "isik"),
        ("ışık", "isik"),
        ("ŞÜKRÜ ÇAĞLAR", "sukru caglar"),
        ("Gülşen Öztürk", "gulsen ozturk"),
    ],
)
def test_it_folds_turkish_dotted_and_dotless_i_and_accents(name, folded):
    assert fold_name(name) == folded


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Müller", "muller"),
        ("MÜLLER", "muller"),
        ("muller", "muller"),
        ("Weiß", "weiss"),
        ("WEISS", "weiss"),
        ("François", "francois"),
    ],
)
def test_it_folds_german_and_french_names(name, folded):
    assert fold_name(name) == folded


def test_it_drops_punctuation_and_extra_spaces():
    assert fold_name("  O'Brien-Smith,   Jean-Luc ") == "o brien smith jean luc"


def test_it_keeps_cyrillic_as_cyrillic_when_folding():
    assert fold_name("Андрей Соколов") == "андрей соколов"
    assert fold_name("Артём Ёлкин") == "артем елкин"  # ё folds to е, й stays й


def test_it_adds_a_latin_spelling_to_the_search_key_of_a_cyrillic_name():
    key = name_search_key("Андрей", "Соколов")
    assert key == "андрей соколов andrey sokolov"


def test_it_does_not_repeat_a_latin_name_in_its_search_key():
    assert name_search_key("Ahmet", "Yılmaz") == "ahmet yilmaz"
    assert name_search_key("", "Yılmaz") == "yilmaz"


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        ("ahmet.yilmaz@example.com", "ahmet.yilmaz@example.com"),
        ("  Ahmet.Yilmaz@Example.COM ", "ahmet.yilmaz@example.com"),
        ("ANNA+booking@mail.de", "anna+booking@mail.de"),
    ],
)
def test_it_normalizes_email_to_trimmed_lower_case(raw, email):
    assert normalize_email(raw) == email


@pytest.mark.parametrize("raw", ["", None, "ahmet", "a@b", "two@@example.com", "a b@example.com"])
def test_it_rejects_what_is_not_an_email_address(raw):
    assert normalize_email(raw) is None
