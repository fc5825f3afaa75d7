"""How a phone system proves who it is at our doors: its Pbx token, in the
``X-Misafir-Token`` header (or, where a PBX cannot set headers, a ``token``
parameter — the 3CX door accepts that)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from guestview.models import Pbx

TOKEN_HEADER = "X-Misafir-Token"  # noqa: S105 - a header name
TOKEN_PARAMETER = "token"  # noqa: S105 - a parameter name


# Every call event asks; the phone systems change a few times a year. A token
# revoked in the admin stops working within this time (forget_pbx_tokens()).
_CACHE_SECONDS = 30
_cache: dict[tuple[str, ...], tuple[float, list[Pbx]]] = {}


def forget_pbx_tokens() -> None:
    _cache.clear()


def _active_pbxs(kinds: tuple[str, ...]) -> list[Pbx]:
    now = time.monotonic()
    cached = _cache.get(kinds)
    if cached is None or now - cached[0] > _CACHE_SECONDS:
        cached = (now, list(Pbx.objects.filter(kind__in=kinds, is_active=True)))
        _cache[kinds] = cached
    return cached[1]


def pbx_for_token(token: str, *, kinds: Iterable[str]) -> Pbx | None:
    """The active phone system of one of ``kinds`` this token belongs to.

    Every candidate is compared in constant time (there are a handful), so how
    long a guess takes says nothing about how close it was."""
    if not token:
        return None
    given = token.encode()
    found = None
    for pbx in _active_pbxs(tuple(sorted(kinds))):
        if secrets.compare_digest(pbx.token.encode(), given):
            found = pbx
    return found
