"""The KVKK note guardrail (BRIEF.md §3): every free-text field an agent
writes (guest notes, lead notes, internal conversation notes, call summaries)
goes through ``scan_note`` before it is saved, and a note with a finding is
refused, not stored. Pure Python, no database, no configured Django needed
(labels are lazy).

- Identifiers by checksum (numbers.py): T.C. kimlik no, card numbers (Luhn),
  IBAN (mod-97), and passport numbers next to a word that says so.
- KVKK art. 6 special categories by word lists in Turkish, English, German and
  Russian (terms.py), matched on folded text (folding.py) whose offsets map
  back to the original.

A refused note costs the agent a rewrite, so precision matters as much as
recall. The borderline decisions, made once:

- vegetarian / vegan: a diet preference, clean. Allergy, intolerance, celiac,
  gluten-free, lactose-free: health (the restricted needs field).
- halal / kosher: religion, as is prayer and fasting. Holidays as dates
  ("Noel yemeği", "Ramazan Bayramı'nda geliyorlar") are clean.
- "engelli odası", "accessible room": health; the room type tells the disability.
- "same-sex couple": sexual life; "honeymoon couple", "balayı": clean.
- Nationality and market language ("German guest", "Alman misafir",
  "Russian-speaking"): clean. Origin ("Türk kökenli", "of Armenian descent",
  "по национальности"), Kurdish, Roma, skin colour: ethnicity.
- A guest asking whether there is a doctor or where the hospital is: clean;
  the guest needing, seeing or being taken to one: health.
- Jewish: religion (one category, though it is an origin too).
- Weight remarks (kilolu, overweight guest): appearance; obesity: health.
  Tattoos: clean (not dress).

bench/guardrail_accuracy.py scores it on tests/consent/guardrail_set.jsonl
and the held-out tests/consent/guardrail_holdout.jsonl.
"""

from consent.guardrails.numbers import iban_valid, luhn_valid, tckn_valid
from consent.guardrails.scanner import (
    CATEGORIES,
    HINTS,
    Finding,
    scan_identifiers,
    scan_note,
)

__all__ = [
    "CATEGORIES",
    "HINTS",
    "Finding",
    "iban_valid",
    "luhn_valid",
    "scan_identifiers",
    "scan_note",
    "tckn_valid",
]
