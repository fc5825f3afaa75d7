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
    text = forms.CharField(max_length=4000)
    kind = forms.ChoiceField(choices=NoteKind.choices)
    next_step = forms.ChoiceField(choices=NextStep.choices, required=False)
