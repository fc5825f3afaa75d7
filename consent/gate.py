"""The consent gate (law 6563, İYS): a commercial message or call to a guest
needs their ONAY for that channel. A service reply inside a conversation
the guest started is not commercial and stays allowed.

Every decision is written to GateLog, allowed or refused: the hotel can
show it checked before each commercial contact. The check happens on the
server, in the services that send (leads.services.offer_send, the campaign
call list); the screens only show its answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consent.models import ConsentType, GateLog
from consent.selectors import consent_state_for_guest

CHANNEL_LABELS = {
    ConsentType.ARAMA: _("calls"),
    ConsentType.MESAJ: _("messages"),
    ConsentType.EPOSTA: _("e-mail"),
}


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str  # for the screen (may name the guest)
    logged: str = ""  # for GateLog, which is append-only: never the guest's name


class ConsentRequired(ValidationError):
    """Refused by the consent gate; the message says why, for the screen."""


def commercial_contact_check(*, guest, type: str, service_reply: bool = False) -> GateDecision:
    """May we contact ``guest`` commercially on ``type`` (ARAMA/MESAJ/EPOSTA)?"""
    if service_reply:
        reason = "service reply in a guest-initiated conversation"
        return GateDecision(True, _("A reply in a conversation the guest started."), reason)
    if guest is None:
        return GateDecision(
            False, _("Nobody to check consent for: link the guest first."), "no guest linked"
        )
    channel = consent_state_for_guest(guest).for_type(type)
    day = f"{channel.since:%d.%m.%Y}" if channel.since else ""
    if channel.allowed:
        return GateDecision(True, _("ONAY on %(date)s.") % {"date": day}, f"ONAY {day}")
    label = CHANNEL_LABELS[type]
    if channel.refused:
        return GateDecision(
            False,
            _("%(name)s refused commercial %(channel)s (RET on %(date)s): not sent.")
            % {"name": guest.full_name, "channel": label, "date": day},
            f"RET {day}",
        )
    return GateDecision(
        False,
        _(
            "%(name)s never allowed commercial %(channel)s (no ONAY recorded): not sent. "
            "Ask them and record their consent first."
        )
        % {"name": guest.full_name, "channel": label},
        "never asked",
    )


def commercial_contact_require(
    *, actor, guest, type: str, purpose: str, service_reply: bool = False
) -> GateDecision:
    """Check and write it down; raise ConsentRequired when refused."""
    decision = commercial_contact_check(guest=guest, type=type, service_reply=service_reply)
    GateLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        guest_id=guest.pk if guest is not None else None,
        property_id=guest.property_id if guest is not None else None,
        channel=type,
        purpose=purpose[:60],
        allowed=decision.allowed,
        reason=decision.logged[:200],
    )
    if not decision.allowed:
        raise ConsentRequired(decision.reason, code="consent")
    return decision
