"""The keyed hash that stands for an identifier after a KVKK erasure: a
consent's recipient (consent.models.records.recipient_pseudonym), a PMS
reservation number (consent.privacy.erasure.reference_pseudonym). One helper,
so the two cannot drift apart; hashes already stored depend on ``salt``,
``prefix`` and ``length`` staying what each caller passes today."""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac


def keyed_hash(
    value: str, *, salt: str, prefix: str, length: int | None = None, secret: str | None = None
) -> str:
    """``prefix`` + the HMAC-SHA256 of ``value`` under ``salt`` and
    ``secret`` (SECRET_KEY unless given), its hex cut to ``length``. Empty or
    already hashed (``prefix`` in front), ``value`` is returned as it is, so
    hashing twice changes nothing."""
    if not value or value.startswith(prefix):
        return value
    digest = salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()
    return prefix + digest[:length]


def keyed_hashes(value: str, *, salt: str, prefix: str, length: int | None = None) -> set[str]:
    """Every hash ``value`` may be stored under: one per key, SECRET_KEY and
    SECRET_KEY_FALLBACKS (what was hashed before a key rotation still matches)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return {keyed_hash(value, salt=salt, prefix=prefix, length=length, secret=key) for key in keys}
