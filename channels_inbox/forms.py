from django import forms
from django.utils.translation import gettext_lazy as _

from channels_inbox.models import ChannelKind, Outcome, Priority, Scenario
from channels_inbox.selectors import QueueView
from guestview.models import Language


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[
            (QueueView.MINE, _("Mine")),
            (QueueView.UNASSIGNED, _("Unassigned")),
            (QueueView.ALL, _("All")),
        ],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *ChannelKind.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *Language.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("All priorities")), *Priority.choices], required=False
    )
    property = forms.ModelChoiceField(
        label=_("Hotel"), queryset=None, required=False, empty_label=_("All my hotels")
    )

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties


class ReplyForm(forms.Form):
    text = forms.CharField(max_length=4096, required=False)
    template = forms.IntegerField(required=False)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000)


class TriageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    summary = forms.CharField(label=_("Summary"), max_length=2000, required=False)


class TransferForm(forms.Form):
    agent = forms.IntegerField()


class HandoffForm(forms.Form):
    template = forms.IntegerField()
