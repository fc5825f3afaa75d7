"""How a phone system proves who it is at our doors: its Pbx token, in the
``X-Misafir-Token`` header (or, where a PBX cannot set headers, a ``token``
parameter — the 3CX door accepts that)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from guestview.models import Pbx

TOKEN_HEADER = "X-Misafir-Token"  # noqa: S105 - a header name
TOKEN_PARAMETER = "token"  # noqa: S105 - a parameter name


def pbx_for_token(token: str, *, kinds: Iterable[str]) -> Pbx | None:
    """The active phone system of one of ``kinds`` this token belongs to.

    Every candidate is compared in constant time (there are a handful), so how
    long a guess takes says nothing about how close it was."""
    if not token:
        return None
    given = token.encode()
    found = None
    for pbx in Pbx.objects.filter(kind__in=list(kinds), is_active=True):
        if secrets.compare_digest(pbx.token.encode(), given):
            found = pbx
    return found
