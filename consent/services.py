"""Writes of consent. A consent is recorded, never edited: a change of mind is
a new record, and the newest one is the state (consent.selectors). The İYS
sync is consent.sync. Also here: the KVKK note guardrail every free text an
agent writes passes (note_guard).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.guardrails import Finding, scan_identifiers, scan_note
from consent.models import (
    IYS_SOURCES,
    ConsentRecord,
    ConsentType,
    IysState,
    RecipientType,
)
from guestview.identity import normalize_email, normalize_phone
from guestview.models import Guest

logger = logging.getLogger(__name__)


def consent_recipient_normalize(*, type: str, raw: str) -> str:
    """The İYS recipient for a consent of ``type``: E.164 for calls and
    messages, a lower-case address for e-mail; otherwise ValidationError."""
    if type == ConsentType.EPOSTA:
        value = normalize_email(raw)
        if value is None:
            message = _("Consent to e-mail is given for an e-mail address; %(raw)s is not one.")
            raise ValidationError({"recipient": ValidationError(message, params={"raw": raw})})
        return value
    if type in (ConsentType.ARAMA, ConsentType.MESAJ):
        value = normalize_phone(raw)
        if value is None:
            message = _(
                "Consent to calls and messages is given for a phone number; %(raw)s is not one."
            )
            raise ValidationError({"recipient": ValidationError(message, params={"raw": raw})})
        return value
    message = _("Unknown channel %(type)s.")
    raise ValidationError({"type": ValidationError(message, params={"type": type})})


def consent_record(
    *,
    guest: Guest,
    type: str,
    status: str,
    source: str,
    recipient: str,
    recipient_type: str = RecipientType.BIREYSEL,
    consent_date: dt.datetime | None = None,
    recorded_by: AbstractBaseUser | None = None,
    note: str = "",
) -> ConsentRecord:
    """Write down what ``guest`` said about commercial contact on one channel.

    ``consent_date`` is when they said it (now unless given). A RET takes effect
    at once: it is the newest record, and the newest record is the state.

    What we take (an HS_... source) is to be sent to İYS by its deadline, 3
    business days after ``consent_date``; what İYS reports (an IYS_... source,
    written by iys_pull_changes only) is already there.
    """
    if consent_date is not None and timezone.is_naive(consent_date):
        raise ValueError("consent_date must be an aware datetime.")
    from_iys = source in IYS_SOURCES
    if from_iys and recorded_by is not None:
        message = _("Only the İYS sync records what a guest told İYS itself.")
        raise ValidationError({"source": ValidationError(message)})
    record = ConsentRecord(
        guest=guest,
        type=type,
        status=status,
        source=source,
        recipient=consent_recipient_normalize(type=type, raw=recipient),
        recipient_type=recipient_type,
        consent_date=consent_date or timezone.now(),
        recorded_by=recorded_by,
        note=note.strip(),
        iys_state=IysState.FROM_IYS if from_iys else IysState.PENDING,
    )
    from consent.sync import iys_deadline, iys_supersede  # the sync builds on this module

    record.full_clean()
    if not from_iys:
        record.iys_due_at = iys_deadline(consent_date=record.consent_date)
    with transaction.atomic():
        record.save()
        # İYS keeps the newest statement per recipient and channel: an older
        # one still waiting (this one too, when typed in late) is not sent.
        iys_supersede(recipient=record.recipient, type=record.type)
    return record


class NoteRefused(ValidationError):
    """A free text the guardrail refused: which category, where, and what to
    do instead. It carries the findings (for the form to mark the spans),
    never the text: a refused note is stored nowhere, logged nowhere."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        seen: dict[str, list[Finding]] = {}
        for finding in findings:
            seen.setdefault(finding.category, []).append(finding)
        messages = []
        for found in seen.values():
            where = ", ".join(f"{f.start + 1}–{f.end}" for f in found)
            messages.append(
                _("Not saved: %(what)s at characters %(where)s. %(hint)s")
                % {"what": found[0].label, "where": where, "hint": found[0].hint}
            )
        super().__init__(messages, code="kvkk")


def note_guard(text: str) -> str:
    """Every free text an agent writes goes through here before it is stored
    (guest notes, lead notes, conversation notes, call summaries): the text,
    or NoteRefused naming each KVKK finding."""
    findings = scan_note(text)
    if findings:
        raise NoteRefused(findings)
    return text


def identifier_guard(text: str) -> str:
    """note_guard for a text that holds special-category data by design (the
    restricted needs' detail, consent.needs): the text, or NoteRefused for a
    kimlik, card, IBAN or passport number in it. Health words pass."""
    findings = scan_identifiers(text)
    if findings:
        raise NoteRefused(findings)
    return text


def note_marked(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    """The text cut into (piece, category or "") for a form to show the
    agent where the refused parts are."""
    pieces, at = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start > at:
            pieces.append((text[at : finding.start], ""))
        pieces.append((text[max(at, finding.start) : finding.end], finding.category))
        at = max(at, finding.end)
    if at < len(text):
        pieces.append((text[at:], ""))
    return pieces
