"""KVKK article 11: what guests may ask of us, answered within 30 days —
a copy of their data (guest_export), a correction, an erasure
(guest_anonymize) — and the retention periods the nightly job applies
(retention_apply). The privacy officer's pages are consent.privacy_views.

Erasure is anonymization: the guest row, their stays, calls, conversations
and leads stay as anonymous statistics (the KPIs and revenue reports keep
counting them), while everything that names or reaches the person goes —
names, contact points, numbers and addresses, message texts, notes, raw
webhook bodies. Consent records stay as the legal evidence, with the
recipient replaced by its keyed hash. Every erasure writes an ErasureLog
(per table, how many rows changed) and, when a person ran it, an ERASE
entry in the access log.

Parts: requests.py (the requests and who handles them), export.py (the
copy), erasure.py (anonymization, table by table), retention.py (the
nightly job).
"""

from consent.privacy.erasure import (
    ANONYMIZED_BODY,
    ANONYMIZED_PREFIX,
    ANONYMOUS_FIRST_NAME,
    Identifiers,
    anonymous_name,
    guest_anonymize,
    open_work_of,
    reference_pseudonym,
)
from consent.privacy.export import EXPORT_FIELDS, EXPORT_FORMAT, export_columns, guest_export
from consent.privacy.requests import (
    ANSWER_DAYS,
    DPO_PERMISSION,
    dsr_answer,
    dsr_register,
    erasures_of_request,
    get_request_for_user,
    is_dpo,
    requests_for_user,
)
from consent.privacy.retention import (
    RETENTION_BATCH,
    RETENTION_GUESTS,
    guests_inactive_since,
    retention_apply,
)

__all__ = [
    "ANONYMIZED_BODY", "ANONYMIZED_PREFIX", "ANONYMOUS_FIRST_NAME", "ANSWER_DAYS",
    "DPO_PERMISSION", "EXPORT_FIELDS", "EXPORT_FORMAT", "RETENTION_BATCH", "RETENTION_GUESTS",
    "Identifiers", "anonymous_name", "dsr_answer", "dsr_register", "erasures_of_request",
    "export_columns", "get_request_for_user", "guest_anonymize", "guest_export",
    "guests_inactive_since", "is_dpo", "open_work_of", "reference_pseudonym",
    "requests_for_user", "retention_apply",
]  # fmt: skip
