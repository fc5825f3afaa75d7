"""Triage: language, scenario, priority of a guest's message. Pure: no
database. The labelled set guards the accuracy reported in the issue."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from channels_inbox.triage import fold, triage

SUMMER = datetime.fromisoformat("2026-07-14T10:30:00+03:00")  # tomorrow = 15 July


def t(text, at=SUMMER):
    return triage(text, received_at=at)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Merhaba", "tr"), ("Danke!", "de"), ("Спасибо", "ru"), ("hi", "en"),
        ("yarin icin oda var mi", "tr"), ("zimmer frei morgen?", "de"),
        ("Привіт, чи є вільні номери?", "other"), ("Bonjour, avez-vous des chambres?", "other"),
        ("👍", "other"), ("12345", "other"),
    ],
)  # fmt: skip
def test_it_names_the_language_of_short_messages(text, language):
    assert t(text).language == language


def test_it_marks_a_complaint_critical():
    result = t("Odamız çok kirli ve klima çalışmıyor, rezalet!")
    assert (result.scenario, result.priority) == ("complaint", "critical")


def test_a_crisis_is_critical_even_without_a_complaint_word():
    assert t("My wife slipped by the pool and needs an ambulance").priority == "critical"
    assert t("Ребёнок упал у бассейна, нужна скорая").priority == "critical"


def test_a_reservation_request_is_high_whatever_the_date():
    result = t("Eylül başında 2 yetişkin 1 çocuk için fiyat alabilir miyim?")
    assert (result.scenario, result.priority) == ("reservation", "high")


def test_cancelling_a_reservation_is_a_cancellation_not_a_reservation():
    assert t("Ich möchte meine Buchung stornieren").scenario == "change_cancel"
    assert t("Please cancel my reservation").priority == "medium"


def test_a_price_question_about_a_service_is_information():
    assert t("Сколько стоит трансфер?").scenario == "info"
    assert t("How much is the airport shuttle?").scenario == "info"


@pytest.mark.parametrize(
    "text",
    ["Can we get a late check-out tomorrow?", "Bugün geç çıkış yapabilir miyiz?",
     "Können wir heute später auschecken?", "Можно ранний заезд завтра?",
     "Is breakfast included on 15.07?", "Is the spa open on 15 July?",
     "Ist der Spa am 15. Juli geöffnet?", "Работает ли спа 15 июля?",
     "Havuz 15 Temmuz'da açık mı?"],
)  # fmt: skip
def test_a_request_about_today_or_tomorrow_is_high(text):
    assert t(text).priority == "high"


def test_a_date_further_away_is_not_urgent():
    assert t("Is the spa open on 16 July?").priority == "medium"
    assert t("Can I pay the rest on 20.07?").priority == "medium"


def test_guten_morgen_is_a_greeting_not_tomorrow():
    assert t("Guten Morgen, gibt es einen Kinderclub?").priority == "medium"
    assert t("Gibt es morgen einen Kinderclub?").priority == "high"


def test_tomorrow_is_the_next_day_in_istanbul_not_in_utc():
    late_evening_utc = datetime.fromisoformat("2026-07-14T22:30:00+00:00")  # 15th, 01:30 TR
    assert t("Is the spa open on 16 July?", late_evening_utc).priority == "high"
    assert t("Is the spa open on 14 July?", late_evening_utc).priority == "medium"


def test_a_date_without_a_year_rolls_over_new_year():
    new_years_eve = datetime.fromisoformat("2026-12-31T20:00:00+03:00")
    assert t("Do you have a room on 01.01?", new_years_eve).priority == "high"
    assert t("Is the restaurant open on 1 January?", new_years_eve).priority == "high"


def test_thanks_and_greetings_are_low_even_with_tomorrow():
    assert t("Thanks, see you tomorrow!").priority == "low"
    assert t("Спасибо, до завтра").priority == "low"
    assert t("Teşekkürler 🙏").scenario == "other"


def test_mixed_language_goes_by_the_request():
    assert t("Merhaba, we would like to book a room for 2 nights").language == "en"
    assert t("Hi, ich möchte stornieren bitte").language == "de"


def test_folding_is_turkish_aware_and_keeps_cyrillic():
    assert fold("İSTANBUL'da ODA") == "istanbul'da oda"
    assert fold("Iğdır") == "igdir"
    assert fold("горячей") == "горячей"  # й stays й


def test_it_says_why():
    assert "date:tomorrow" in t("Yarın için oda var mı?").reasons


LABELLED = Path(__file__).with_name("triage_set.jsonl")


def test_the_labelled_set_stays_above_its_floors():
    cases = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    assert len(cases) >= 200
    right = {"language": 0, "scenario": 0, "priority": 0}
    for case in cases:
        result = triage(case["text"], received_at=datetime.fromisoformat(case["received_at"]))
        for field in right:
            right[field] += getattr(result, field) == case[field]
    accuracy = {field: n / len(cases) for field, n in right.items()}
    # A little under what bench/triage_accuracy.py measures, to catch regressions.
    assert accuracy["language"] >= 0.99, accuracy
    assert accuracy["scenario"] >= 0.98, accuracy
    assert accuracy["priority"] >= 0.98, accuracy
