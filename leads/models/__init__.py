"""Leads, offers and campaigns (leads.py); the SLA engine's data (sla.py)."""

from leads.models.leads import (
    CASE_ID_RE,
    CLOSED_STATUSES,
    FOLLOW_UP_REQUIRED,
    LEAD_MOVES,
    OPEN_STATUSES,
    Campaign,
    CaseCounter,
    IntakeForm,
    IntakeStatus,
    IntakeSubmission,
    Lead,
    LeadEvent,
    LeadEventKind,
    LeadSource,
    LeadStatus,
    LostReason,
    NextStep,
    Offer,
    OfferOption,
    OfferStatus,
)
from leads.models.sla import (
    BusinessCalendar,
    BusinessPeriod,
    Deadline,
    Escalation,
    ItemKind,
    Season,
    SeasonKind,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    Team,
    Weekday,
)

__all__ = [
    "CASE_ID_RE", "CLOSED_STATUSES", "FOLLOW_UP_REQUIRED", "LEAD_MOVES", "OPEN_STATUSES",
    "BusinessCalendar", "BusinessPeriod", "Campaign", "CaseCounter", "Deadline", "Escalation",
    "IntakeForm", "IntakeStatus", "IntakeSubmission", "ItemKind", "Lead", "LeadEvent",
    "LeadEventKind", "LeadSource", "LeadStatus",
    "LostReason", "NextStep", "Offer", "OfferOption", "OfferStatus", "Season", "SeasonKind",
    "SlaBreach", "SlaClock", "SlaPolicy", "Team", "Weekday",
]  # fmt: skip
