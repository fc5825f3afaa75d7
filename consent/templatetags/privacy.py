"""``{% load privacy %}``: phones and e-mails masked in lists (KVKK: shown
in full only on purpose, and that is logged — guestview's unmask view)."""

from django import template

from consent.selectors import recipient_masked

register = template.Library()


@register.filter
def masked(value: str) -> str:
    """+905321234567 → +90 532 *** ** 67; ayse@example.com → a***@example.com."""
    return recipient_masked(value) if value else value


@register.filter
def get_item(mapping, key):
    """``{{ states|get_item:guest.pk }}``: a dict entry in a template."""
    return mapping.get(key) if mapping else None
