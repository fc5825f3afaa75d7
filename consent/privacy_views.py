"""The data protection officer's pages (KVKK art. 11): the requests and
registering one, one request with its actions (the copy, anonymizing,
answering), and the copy of a guest's data as a file and as a readable
page. For holders of ``consent.act_as_dpo`` (the admin role has it), on
the hotels they serve: anyone else gets 403; another hotel's guest or
request is a 404."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent import privacy
from consent.models import RequestKind, RequestStatus
from guestview import selectors as guestview_selectors

CLOSED_SHOWN = 50


class RequestForm(forms.Form):
    guest = forms.IntegerField(label=gettext_lazy("Guest number"), min_value=1)
    kind = forms.ChoiceField(label=gettext_lazy("The guest asks for"), choices=RequestKind.choices)
    received_on = forms.DateField(
        label=gettext_lazy("Reached us on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("How it reached us, what exactly is asked."),
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[
            (RequestStatus.ANSWERED.value, RequestStatus.ANSWERED.label),
            (RequestStatus.REFUSED.value, RequestStatus.REFUSED.label),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("What we answered (the reason, for a refusal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnonymizeForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked that this is the guest who asked, and that the law does not "
            "require us to keep their data."
        )
    )


def _require_dpo(request) -> None:
    if not privacy.is_dpo(request.user):
        raise PermissionDenied


def _form_errors(form: forms.Form, error: ValidationError, field: str | None = None) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


def _register(request, form: RequestForm):
    """The request the form registers, or None with the form's errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        guest = guestview_selectors.get_guest_for_user(request.user, data["guest"])
    except Http404:
        form.add_error("guest", _("No guest with this number at your hotels."))
        return None
    try:
        return privacy.dsr_register(
            guest=guest, kind=data["kind"], received_on=data["received_on"], by=request.user,
            note=data["note"],
        )  # fmt: skip
    except ValidationError as exc:
        _form_errors(form, exc, field="note")
        return None


@require_http_methods(["GET", "POST"])
@login_required
def request_list(request):
    """Open requests first, the overdue on top, and the form to register
    one (the guest page links here with ?guest=<id>)."""
    _require_dpo(request)
    guest = None
    if request.method == "POST":
        form = RequestForm(request.POST)
        if (dsr := _register(request, form)) is not None:
            messages.success(request, _("Request registered."))
            return redirect("privacy:request", dsr.pk)
    else:
        initial = {"received_on": timezone.localdate()}
        if request.GET.get("guest"):
            guest = guestview_selectors.get_guest_for_user(request.user, request.GET["guest"])
            initial["guest"] = guest.pk
        form = RequestForm(initial=initial)
    requests = privacy.requests_for_user(request.user).select_related("guest", "property")
    closed = requests.exclude(status=RequestStatus.OPEN).order_by("-answered_at", "-id")
    return render(
        request,
        "consent/privacy/requests.html",
        {
            "form": form,
            "guest": guest,
            "open_requests": list(requests.filter(status=RequestStatus.OPEN)),
            "closed_requests": list(closed[:CLOSED_SHOWN]),
            "answer_days": privacy.ANSWER_DAYS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _request_page(request, dsr, *, answer_form=None, anonymize_form=None, error="", status=200):
    guest = dsr.guest
    can_erase = dsr.kind == RequestKind.ERASURE and guest is not None
    return render(
        request,
        "consent/privacy/request.html",
        {
            "dsr": dsr,
            "guest": guest,
            "answer_form": answer_form or AnswerForm(),
            "anonymize_form": anonymize_form or AnonymizeForm(),
            "can_erase": can_erase,
            "open_work": privacy.open_work_of(guest) if can_erase else None,
            "erasures": list(privacy.erasures_of_request(dsr)),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
def request_detail(request, pk: int):
    _require_dpo(request)
    return _request_page(request, privacy.get_request_for_user(request.user, pk))


@require_POST
@login_required
def request_answer(request, pk: int):
    _require_dpo(request)
    dsr = privacy.get_request_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            privacy.dsr_answer(
                request=dsr, by=request.user, status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            _form_errors(form, exc, field="note")
        else:
            messages.success(request, _("The request is closed."))
            return redirect("privacy:request", dsr.pk)
    return _request_page(request, dsr, answer_form=form, status=400)


@require_POST
@login_required
def request_anonymize(request, pk: int):
    """Anonymize the request's guest, with an explicit confirmation."""
    _require_dpo(request)
    dsr = privacy.get_request_for_user(request.user, pk)
    if dsr.kind != RequestKind.ERASURE or dsr.guest_id is None:
        raise Http404("Not an erasure request.")
    guest = guestview_selectors.get_guest_for_user(request.user, dsr.guest_id)
    form = AnonymizeForm(request.POST)
    if not form.is_valid():
        return _request_page(request, dsr, anonymize_form=form, status=400)
    try:
        log = privacy.guest_anonymize(
            guest=guest, by=request.user, request=dsr, http_request=request
        )
    except ValidationError as exc:
        return _request_page(request, dsr, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("The guest is anonymized: %(rows)d rows changed. Answer the request to close it.")
        % {"rows": sum(log.counts.values())},
    )
    return redirect("privacy:request", dsr.pk)


def _export(request, pk: int) -> tuple:
    _require_dpo(request)
    guest = guestview_selectors.get_guest_for_user(request.user, pk)
    dsr = None
    if request.GET.get("request"):
        dsr = privacy.get_request_for_user(request.user, request.GET["request"])
        if dsr.guest_ref != guest.pk:
            raise Http404("Not this guest's request.")
    data = privacy.guest_export(guest=guest, by=request.user, request=dsr, http_request=request)
    return guest, dsr, data


@require_GET
@login_required
def guest_export_json(request, pk: int):
    """The copy as a file to hand over."""
    guest, _dsr, data = _export(request, pk)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="guest-{guest.pk}.json"'
    return response


def _cell(value):
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _table(part: str, rows: list[dict]) -> dict:
    columns = privacy.export_columns(part)
    return {
        "headings": [heading for _key, heading in columns],
        "rows": [[_cell(row[key]) for key, _heading in columns] for row in rows],
    }


def _facts(part: str, row: dict) -> list[tuple[str, object]]:
    return [(heading, _cell(row[key])) for key, heading in privacy.export_columns(part)]


@require_GET
@login_required
def guest_export_page(request, pk: int):
    """The copy as a page to read (and print), in the console's language."""
    guest, dsr, data = _export(request, pk)
    tables = [
        (_("Contact points"), _table("contact_points", data["contact_points"])),
        (_("Stays"), _table("stays", data["stays"])),
        (_("Preferences"), _table("preferences", data["preferences"])),
        (_("Accessibility and dietary needs"), _table("needs", data["needs"])),
        (_("Explicit consent to keep them"),
         _table("explicit_consents", data["explicit_consents"])),
        (_("Notes"), _table("notes", data["notes"])),
        (_("Consent to commercial messages"), _table("consent_history", data["consent_history"])),
        (_("Calls"), _table("calls", data["calls"])),
        (_("Web chat"), _table("web_chat", data["web_chat"])),
        (_("Requests about your data"),
         _table("data_subject_requests", data["data_subject_requests"])),
        (_("Who at the hotel opened your data"), _table("access_log", data["access_log"])),
    ]  # fmt: skip
    conversations = [
        {"facts": _facts("conversations", c), "messages": _table("messages", c["messages"])}
        for c in data["conversations"]
    ]
    leads = [
        {
            "facts": _facts("leads", lead),
            "events": _table("lead_events", lead["events"]),
            "offers": [
                {"facts": _facts("offers", o), "options": _table("offer_options", o["options"])}
                for o in lead["offers"]
            ],
        }
        for lead in data["leads"]
    ]
    return render(
        request,
        "consent/privacy/export.html",
        {
            "guest": guest,
            "dsr": dsr,
            "data": data,
            "profile": _facts("guest", data["guest"]),
            "tables": tables,
            "conversations": conversations,
            "leads": leads,
        },
    )
