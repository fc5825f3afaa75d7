"""scan_note: the findings of the note guardrail in one agent's text."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from consent.guardrails import terms
from consent.guardrails.folding import compile_words, fold
from consent.guardrails.numbers import find_identifiers

# The order the UI lists them in: identifiers first, then KVKK art. 6 as the law lists it.
CATEGORIES = {
    "national_id": _("T.C. identity number"),
    "payment_card": _("Payment card number"),
    "iban": _("IBAN"),
    "passport": _("Passport or ID document number"),
    "ethnicity_race": _("Race or ethnic origin"),
    "political_opinion": _("Political opinion"),
    "religion_belief": _("Religion, sect, philosophical or other belief"),
    "appearance_dress": _("Dress and appearance"),
    "union_association": _("Association, foundation or union membership"),
    "health": _("Health"),
    "sexual_life": _("Sexual life"),
    "criminal_record": _("Criminal conviction or security measure"),
    "biometric_genetic": _("Biometric or genetic data"),
}

# What the agent should do instead; shown next to the refused note.
HINTS = {
    "national_id": _(
        "Never write identity numbers; the front desk records the ID document at check-in."
    ),
    "payment_card": _("Never write card numbers; payments go through the payment link."),
    "iban": _("Never write bank account numbers in a note."),
    "passport": _("Never write passport numbers; the front desk records the document at check-in."),
    "ethnicity_race": _("Do not record origin or race; record the guest's language and market."),
    "political_opinion": _("Do not record political opinions."),
    "religion_belief": _(
        "Do not record beliefs; record halal or kosher meals in the restricted needs field "
        "(requires explicit consent)."
    ),
    "appearance_dress": _("Do not describe the guest's dress or body."),
    "union_association": _("Do not record union, association or foundation memberships."),
    "health": _(
        "Record dietary/accessibility needs in the restricted needs field "
        "(requires explicit consent)."
    ),
    "sexual_life": _("Do not record sexual orientation or sexual life; write 'couple'."),
    "criminal_record": _("Do not record criminal records; tell the duty manager in person."),
    "biometric_genetic": _("Do not record biometric or genetic data."),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """``text[start:end]`` of the original text is the offending span."""

    category: str
    start: int
    end: int

    @property
    def label(self):
        return CATEGORIES[self.category]

    @property
    def hint(self):
        return HINTS[self.category]


_TERMS = {
    category: compile_words([p for per_language in by_language.values() for p in per_language])
    for category, by_language in terms.TERMS.items()
}
_MARKED = {
    category: compile_words([p.replace("ü", "(?:ü|u\u0308)") for p in patterns])
    for category, patterns in terms.MARKED.items()
}
# The same words folded: only a note that has one needs the second pass.
_MARKED_HINT = compile_words([fold(p).text for ps in terms.MARKED.values() for p in ps])
# Every term at once: a note that matches nothing here (most notes) skips the
# per-category passes.
_ANY_TERM = compile_words(
    [p for by_language in terms.TERMS.values() for ps in by_language.values() for p in ps]
)
_EXCEPT = {category: compile_words(patterns) for category, patterns in terms.EXCEPT.items()}


def _term_spans(text: str) -> list[tuple[str, int, int]]:
    found = []
    folded = fold(text)
    first = _ANY_TERM.search(folded.text)
    # No category matches before the first position where any term does.
    for category, pattern in _TERMS.items() if first else ():
        matches = [m.span() for m in pattern.finditer(folded.text, first.start())]
        if matches and category in _EXCEPT:
            ordinary = [m.span() for m in _EXCEPT[category].finditer(folded.text)]
            # Overlap is enough: "member of the tour operators association" holds
            # the ordinary "tour operators association".
            matches = [
                (s, e) for s, e in matches if not any(os < e and s < oe for os, oe in ordinary)
            ]
        found += [(category, *folded.original_span(s, e)) for s, e in matches]
    if _MARKED_HINT.search(folded.text):
        marked = fold(text, keep_marks=True)
        for category, pattern in _MARKED.items():
            found += [
                (category, *marked.original_span(*m.span())) for m in pattern.finditer(marked.text)
            ]
    return found + find_identifiers(text, folded)


def scan_note(text: str) -> list[Finding]:
    """What must not be stored in ``text``: sorted by start, overlapping
    findings of one category merged. Empty means the note may be saved."""
    if not text:
        return []
    return _merged(_term_spans(text))


def scan_identifiers(text: str) -> list[Finding]:
    """scan_note for the identifiers only (T.C. kimlik no, card, IBAN,
    passport: numbers.py), for a text that holds special-category data by
    design: the restricted needs' detail (consent.needs) is health data,
    never a kimlik or card number."""
    if not text:
        return []
    return _merged(find_identifiers(text, fold(text)))


def _merged(spans: list[tuple[str, int, int]]) -> list[Finding]:
    merged: list[Finding] = []
    for category, start, end in sorted(spans, key=lambda f: (f[0], f[1], f[2])):
        last = merged[-1] if merged else None
        if last and last.category == category and start < last.end:
            merged[-1] = Finding(category, last.start, max(last.end, end))
        else:
            merged.append(Finding(category, start, end))
    return sorted(merged, key=lambda f: (f.start, f.end, f.category))
