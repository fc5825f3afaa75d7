"""Forms of the lead screens: they parse; leads.services validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guestview.models import Board, Language
from leads.models import LeadStatus, LostReason, NextStep
from leads.selectors import LeadView

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What a lead's budget and an offer's prices are in.
CURRENCIES = [("EUR", "EUR"), ("TRY", "TRY"), ("USD", "USD"), ("GBP", "GBP"), ("RUB", "RUB")]


class LeadFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[(LeadView.MINE, _("Mine")), (LeadView.UNASSIGNED, _("Unassigned")),
                 (LeadView.ALL, _("All"))],
        required=False,
    )  # fmt: skip
    property = forms.ModelChoiceField(
        label=_("Hotel"), queryset=None, required=False, empty_label=_("All my hotels")
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=None, required=False, empty_label=_("All sources")
    )
    agent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, properties, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties
        self.fields["source"].queryset = sources


class LeadForm(forms.Form):
    """Make lead: the three mandatory fields and the request's details."""

    name = forms.CharField(label=_("Name"), max_length=160, required=False)
    contact = forms.CharField(label=_("Phone or e-mail"), max_length=200, required=False)
    request = forms.CharField(
        label=_("Request"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ModelChoiceField(label=_("Source"), queryset=None, empty_label=None)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, required=False)
    arrival = forms.DateField(label=_("Arrival"), required=False, widget=DATE)
    departure = forms.DateField(label=_("Departure"), required=False, widget=DATE)
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=20, initial=2)
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=20, initial=0)
    room_wish = forms.CharField(label=_("Room wish"), max_length=160, required=False)
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources

    REQUEST_FIELDS = ("arrival", "departure", "adults", "children", "room_wish", "budget",
                      "currency")  # fmt: skip

    def request_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.REQUEST_FIELDS}


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=LeadStatus.choices)
    follow_up_at = forms.DateTimeField(required=False, widget=DATETIME)
    lost_reason = forms.ChoiceField(choices=[("", "—"), *LostReason.choices], required=False)
    reservation_number = forms.CharField(max_length=40, required=False)
    note = forms.CharField(required=False)


class FollowUpForm(forms.Form):
    follow_up_at = forms.DateTimeField(label=_("Next follow-up"), widget=DATETIME)
    note = forms.CharField(required=False)


class NoteForm(forms.Form):
    text = forms.CharField()


class AssignForm(forms.Form):
    agent = forms.IntegerField(required=False)


class OfferForm(forms.Form):
    """Two options and the next step; option fields are option1_…, option2_…"""

    next_step = forms.ChoiceField(label=_("Next step"), choices=NextStep.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices[:4])
    follow_up_at = forms.DateTimeField(label=_("Next follow-up"), required=False, widget=DATETIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in (1, 2):
            self.fields[f"option{i}_room_type"] = forms.CharField(
                label=_("Room type"), max_length=80, required=False
            )
            self.fields[f"option{i}_board"] = forms.ChoiceField(
                label=_("Board"), choices=Board.choices, initial=Board.AI
            )
            self.fields[f"option{i}_arrival"] = forms.DateField(
                label=_("Arrival"), required=False, widget=DATE
            )
            self.fields[f"option{i}_departure"] = forms.DateField(
                label=_("Departure"), required=False, widget=DATE
            )
            self.fields[f"option{i}_price"] = forms.DecimalField(
                label=_("Price"), required=False, decimal_places=2, min_value=0
            )
            self.fields[f"option{i}_currency"] = forms.ChoiceField(
                label=_("Currency"), choices=CURRENCIES
            )
            self.fields[f"option{i}_valid_until"] = forms.DateTimeField(
                label=_("Valid until"), required=False, widget=DATETIME
            )

    def option_rows(self):
        return [
            [self[f"option{i}_{name}"] for name in
             ("room_type", "board", "arrival", "departure", "price", "currency", "valid_until")]
            for i in (1, 2)
        ]  # fmt: skip

    def options(self):
        from leads.services import OptionIn

        data = self.cleaned_data
        return [
            OptionIn(
                room_type=data.get(f"option{i}_room_type") or "",
                board=data.get(f"option{i}_board") or "",
                arrival=data.get(f"option{i}_arrival"),
                departure=data.get(f"option{i}_departure"),
                price=data.get(f"option{i}_price"),
                currency=data.get(f"option{i}_currency") or "EUR",
                valid_until=data.get(f"option{i}_valid_until"),
            )
            for i in (1, 2)
        ]


class HoldForm(forms.Form):
    follow_up_at = forms.DateTimeField(required=False, widget=DATETIME)
