from django import forms
from django.utils.translation import gettext_lazy as _


class AccessReportForm(forms.Form):
    """The access report's question (consent.views.access_report): a guest
    or a user of the viewer's hotels, and a period (Turkey time)."""

    guest = forms.IntegerField(label=_("Guest id"), min_value=1, required=False)
    user = forms.ModelChoiceField(label=_("User"), queryset=None, required=False)
    since = forms.DateTimeField(label=_("From"), required=False)
    until = forms.DateTimeField(label=_("To"), required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
