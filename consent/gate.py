"""The consent gate (law 6563, İYS): a commercial message or call to a guest
needs their ONAY for that channel. A service reply inside a conversation
the guest started is not commercial and stays allowed.

Every decision is written to GateLog, allowed or refused: the hotel can
show it checked before each commercial contact. The check happens on the
server, in the services that send (leads.services.offer_send, the campaign
call list); the screens only show its answer.

İYS keeps consent per recipient (a phone number, an e-mail address) and
channel, not per person: given the ``recipient`` about to be contacted, the
gate decides by the newest statement for that recipient, whichever guest's
record it is, anonymized ones included. Without one it falls back to the
guest's own newest record per channel, for callers that do not say yet."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.models import ConsentType, GateLog
from consent.selectors import consent_for_recipient, consent_state_for_guest, recipient_masked
from consent.services import consent_recipient_normalize

# Lazy: built at import, read in the language of each decision's screen.
CHANNEL_LABELS = {
    ConsentType.ARAMA: gettext_lazy("calls"),
    ConsentType.MESAJ: gettext_lazy("messages"),
    ConsentType.EPOSTA: gettext_lazy("e-mail"),
}


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str  # for the screen (may name the guest)
    logged: str = ""  # for GateLog, which is append-only: never the guest's name


class ConsentRequired(ValidationError):
    """Refused by the consent gate; the message says why, for the screen."""


def commercial_contact_check(
    *, guest, type: str, service_reply: bool = False, recipient: str | None = None
) -> GateDecision:
    """May we contact ``guest`` commercially on ``type`` (ARAMA/MESAJ/EPOSTA)
    at ``recipient`` (the number to call or write to, the address to mail;
    as typed or as stored: it is normalized here)? With a recipient, its
    own consent decides, whoever gave it; ``guest`` may then be None (an
    unlinked contact) and only names them on the screen. Without one, the
    guest's newest record per channel decides, whatever number it was for."""
    if service_reply:
        reason = "service reply in a guest-initiated conversation"
        return GateDecision(True, _("A reply in a conversation the guest started."), reason)
    if recipient is not None:
        try:
            recipient = consent_recipient_normalize(type=type, raw=recipient)
        except ValidationError as exc:
            return GateDecision(False, " ".join(exc.messages), "recipient not valid")
        channel = consent_for_recipient(type=type, recipient=recipient)
        shown = recipient_masked(recipient)
        name = f"{guest.full_name} ({shown})" if guest is not None else shown
        scope = " (recipient)"  # GateLog: decided per recipient, which stays unnamed
    elif guest is None:
        return GateDecision(
            False, _("Nobody to check consent for: link the guest first."), "no guest linked"
        )
    else:
        channel = consent_state_for_guest(guest).for_type(type)
        name, scope = guest.full_name, ""
    day = f"{channel.since:%d.%m.%Y}" if channel.since else ""
    if channel.allowed:
        return GateDecision(True, _("ONAY on %(date)s.") % {"date": day}, f"ONAY {day}{scope}")
    label = CHANNEL_LABELS[type]
    if channel.refused:
        return GateDecision(
            False,
            _("%(name)s refused commercial %(channel)s (RET on %(date)s): not sent.")
            % {"name": name, "channel": label, "date": day},
            f"RET {day}{scope}",
        )
    return GateDecision(
        False,
        _(
            "%(name)s never allowed commercial %(channel)s (no ONAY recorded): not sent. "
            "Ask them and record their consent first."
        )
        % {"name": name, "channel": label},
        f"never asked{scope}",
    )


def commercial_contact_require(
    *,
    actor,
    guest,
    type: str,
    purpose: str,
    service_reply: bool = False,
    recipient: str | None = None,
) -> GateDecision:
    """Check and write it down; raise ConsentRequired when refused."""
    decision = commercial_contact_check(
        guest=guest, type=type, service_reply=service_reply, recipient=recipient
    )
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
