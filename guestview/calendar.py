"""Working days and public holidays, for every clock that counts business
time: the SLA deadlines of leads/ (business hours) and İYS's "within 3
business days" of consent/. Holidays are rows (guestview.models.Holiday),
loaded from the ``holidays`` package and editable in the admin."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.db.models import Q

from guestview.models import Holiday

ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")
WEEKEND = {5, 6}  # Saturday, Sunday


def holidays_between(
    start: dt.date, end: dt.date, *, property_id: int | None = None
) -> dict[dt.date, dt.time | None]:
    """Holiday dates in [start, end] → the time they are off from (None: all
    day), national ones and the hotel's own; an all-day row wins."""
    rows = Holiday.objects.filter(date__gte=start, date__lte=end).filter(
        Q(property__isnull=True) | Q(property_id=property_id)
    )
    off: dict[dt.date, dt.time | None] = {}
    for date, off_from in rows.values_list("date", "off_from"):
        if date in off and (off[date] is None or off_from is None):
            off[date] = None
        else:
            off[date] = min(off_from, off.get(date) or off_from) if off_from else None
    return off


def is_business_day(date: dt.date, holidays: dict[dt.date, dt.time | None]) -> bool:
    """Monday to Friday and not off all day (a half-day eve still counts)."""
    return date.weekday() not in WEEKEND and not (date in holidays and holidays[date] is None)


def business_days_add(
    start: dt.datetime, days: int, *, property_id: int | None = None, tz=ISTANBUL
) -> dt.datetime:
    """``days`` business days after ``start``, at the same local time: a
    consent taken on Friday 15:00 must reach İYS by Wednesday 15:00
    (weekends and public holidays skipped)."""
    local = start.astimezone(tz)
    # Three business days never span more than a few weeks, even at a bayram.
    holidays = holidays_between(
        local.date(), local.date() + dt.timedelta(days=days * 3 + 21), property_id=property_id
    )
    date, left = local.date(), days
    while left > 0:
        date += dt.timedelta(days=1)
        if is_business_day(date, holidays):
            left -= 1
    return dt.datetime.combine(date, local.time(), tzinfo=tz)


def turkish_public_holidays(years: Iterable[int]) -> list[tuple[dt.date, str, dt.time | None]]:
    """Turkey's public holidays (and the half-day eves, off from 13:00) as the
    ``holidays`` package computes them, bayrams included; names in Turkish."""
    import holidays

    years = list(years)
    # The category, not the name, says which days are half days: names follow
    # the package's language and vary between its versions.
    half = holidays.country_holidays("TR", years=years, categories=("half_day",), language="tr")
    full = holidays.country_holidays("TR", years=years, categories=("public",), language="tr")
    out = [(date, name, None) for date, name in full.items()]
    out += [(date, name, dt.time(13, 0)) for date, name in half.items() if date not in full]
    return sorted(out)
