"""Consent the İYS way and its sync bookkeeping (records.py); KVKK's paper
trail: access log, data subject requests, erasures, retention (privacy.py)."""

from consent.models.privacy import (
    AccessAction,
    AccessLog,
    AppendOnlyModel,
    DataSubjectRequest,
    ErasureLog,
    GateLog,
    RequestKind,
    RequestStatus,
    RetentionCategory,
    RetentionPolicy,
)
from consent.models.records import (
    IYS_DATE_FORMAT,
    IYS_EARLIEST_CONSENT_DATE,
    IYS_SOURCES,
    IYS_TIMEZONE,
    IYS_UNSYNCED,
    AppendOnlyError,
    ConsentRecord,
    ConsentRecordQuerySet,
    ConsentSource,
    ConsentStatus,
    ConsentType,
    IysPullCursor,
    IysRequest,
    IysRequestItem,
    IysState,
    PulledChange,
    RecipientType,
)

__all__ = [
    "IYS_DATE_FORMAT", "IYS_EARLIEST_CONSENT_DATE", "IYS_SOURCES", "IYS_TIMEZONE",
    "IYS_UNSYNCED", "AccessAction", "AccessLog", "AppendOnlyError", "AppendOnlyModel",
    "ConsentRecord", "ConsentRecordQuerySet", "ConsentSource", "ConsentStatus", "ConsentType",
    "DataSubjectRequest", "ErasureLog", "GateLog", "IysPullCursor", "IysRequest", "IysRequestItem",
    "IysState", "PulledChange", "RecipientType", "RequestKind", "RequestStatus",
    "RetentionCategory", "RetentionPolicy",
]  # fmt: skip
