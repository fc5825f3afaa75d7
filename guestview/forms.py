from django import forms
from django.utils.translation import gettext_lazy as _

from guestview.models import AgentStatus, Language, NextStep, NoteKind


class GuestSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, name or e-mail"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "autocomplete": "off"}),
    )
    property = forms.ModelChoiceField(
        label=_("Property"), queryset=None, required=False, empty_label=_("All my properties")
    )

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties


class AgentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AgentStatus.choices)


class NewCallerForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    language = forms.ChoiceField(choices=Language.choices, initial=Language.TR)


class NoteForm(forms.Form):
    """A note: its kind, the request's structured part (dates, party, room
    wish) and free text; either part is enough."""

    text = forms.CharField(max_length=4000, required=False)
    kind = forms.ChoiceField(choices=NoteKind.choices)
    next_step = forms.ChoiceField(choices=NextStep.choices, required=False)
    arrival = forms.DateField(required=False)
    departure = forms.DateField(required=False)
    adults = forms.IntegerField(min_value=0, max_value=30, required=False)
    children = forms.IntegerField(min_value=0, max_value=30, required=False)
    room_wish = forms.CharField(max_length=120, required=False)

    DETAILS = ("arrival", "departure", "adults", "children", "room_wish")

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not any(
            data.get(name) not in (None, "") for name in self.DETAILS
        ):
            raise forms.ValidationError(_("Write the note before saving."))
        arrival, departure = data.get("arrival"), data.get("departure")
        if arrival and departure and departure <= arrival:
            self.add_error("departure", _("Departure must be after arrival."))
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.DETAILS}
