"""Shared parts of the back office (wallet, commerce): read-only model admins, list-cell helpers,
and operator actions that call an app's services (bulk actions on a list, and one-object pages
with a small form).

Nothing here writes a row: every change goes through a service, which checks the operator, the
status and the money, and raises a DomainError that is shown to the operator. The two pages'
templates stay under templates/admin/wallet/, where Django's admin also picks up change_form.html
for every wallet model.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError

# A bulk action reports each refused row by name; past this many it only counts the rest.
MAX_REFUSALS_LISTED = 10


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: the services write these rows."""

    empty_value_display = "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    empty_value_display = "—"
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def status_rank(field: str, statuses: Iterable[str]) -> Case:
    """0, 1, ... for `statuses` in the order given, then one more for every other status:
    orders a queue so the rows waiting for an operator come first."""
    statuses = list(statuses)
    return Case(
        *(When(**{field: status}, then=Value(rank)) for rank, status in enumerate(statuses)),
        default=Value(len(statuses)),
        output_field=IntegerField(),
    )


# Status colours that read on the admin's light and dark themes alike.
TONES = {
    "wait": "#d97706",  # waiting for an operator
    "info": "#2563eb",  # in progress
    "ok": "#16a34a",  # done, money moved
    "bad": "#dc2626",  # refused, failed, reversed
    "off": "#6b7280",  # nothing to do
}


def badge(label, tone: str) -> str:
    colour = TONES[tone]
    return format_html(
        '<span style="display:inline-block;padding:1px 8px;border:1px solid {0};'
        'border-radius:10px;color:{0};font-weight:600;white-space:nowrap">{1}</span>',
        colour,
        label,
    )


def two_lines(main, detail) -> str:
    """A list cell with a detail line in small type under it: keeps the queues narrow enough
    for a laptop screen beside the admin's navigation and filters."""
    return format_html("{}<br><small>{}</small>", main, detail)


def short_time(value) -> str:
    """The time in the site's time zone, short ("21 Nov, 20:05"; the year only when it is
    not this year) so list columns stay narrow."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "j M, H:i" if same_year else "j M Y, H:i")


def waiting_for(value) -> str:
    """How long something has waited ("3 days, 4 hours")."""
    return timesince(value, depth=1) if value else "—"


def error_text(exc: DomainError) -> str:
    """What to tell the operator: the field messages when the service gave some (they say
    what is wrong), else the error's message."""
    field_messages = [str(message) for messages_ in exc.fields.values() for message in messages_]
    return " ".join(field_messages) or exc.message


class ConfirmForm(forms.Form):
    """No input: the button is the decision."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autofocus": True}),
        help_text=_("The shopper sees this: say what happened and what they can do."),
    )


@dataclass(frozen=True)
class ObjectAction:
    """One thing an operator can do to one object, on its own page (and as a button on the
    object's page when the form has no fields)."""

    slug: str
    label: Promise
    form_class: type[forms.Form]
    # Calls the service: (admin, request, object, cleaned form data) -> the changed object.
    run: Callable
    # Whether the object's status allows it; the service checks again under a row lock.
    allowed: Callable[[object], bool]
    done: Promise  # "%(object)s approved."
    intro: Promise  # what the action does, above its form
    style: str = ""  # "danger" for the buttons that end something

    @property
    def direct(self) -> bool:
        """No fields to fill in: a button on the object's page posts it straight away."""
        return not self.form_class.base_fields


class ServiceActionsAdmin(ReadOnlyAdmin):
    """A read-only admin whose objects operators move on through the services: bulk actions
    on the list and `object_actions` on the object's page.

    Actions need the model's change permission (operators' groups have it; the change form
    itself stays read-only, as money moves only through the services)."""

    object_actions: tuple[ObjectAction, ...] = ()
    change_form_template = "admin/wallet/change_form.html"

    def has_process_permission(self, request, obj=None) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def row_label(self, obj) -> str:
        return str(obj)

    def action_summary(self, obj) -> list[tuple[str, object]]:
        """(label, value) rows that describe `obj` on an action page."""
        return [(self.model._meta.verbose_name.capitalize(), self.row_label(obj))]

    def actions_note(self, request, obj) -> str:
        """Why no action is offered for this object (shown in place of the buttons)."""
        return ""

    # --- Bulk actions -------------------------------------------------------------------------

    def run_each(self, request, queryset, call: Callable, *, done: Callable[[int], str]) -> None:
        """Call the service for each selected row, in primary-key order; report how many it
        did (`done(count)` gives the message, with %(count)s) and every refusal with its reason."""
        changed, refusals = 0, []
        for obj in queryset.order_by("pk"):
            try:
                result = call(obj)
            except DomainError as exc:
                refusals.append(f"{self.row_label(obj)}: {error_text(exc)}")
            else:
                changed += 1
                # The admin's own history of the object ("History" on its page).
                self.log_change(request, result or obj, done(1) % {"count": 1})
        level = messages.SUCCESS if changed else messages.INFO
        self.message_user(request, done(changed) % {"count": changed}, level)
        for refusal in refusals[:MAX_REFUSALS_LISTED]:
            self.message_user(request, gettext("Refused: %s") % refusal, messages.ERROR)
        if len(refusals) > MAX_REFUSALS_LISTED:
            self.message_user(
                request,
                gettext("… and %(count)s more were refused.")
                % {"count": len(refusals) - MAX_REFUSALS_LISTED},
                messages.ERROR,
            )

    def run_each_with_reason(self, request, queryset, call: Callable, *, action, title, done):
        """A bulk action that needs a reason: first a page asking for it (listing the selected
        rows), then `call(obj, reason)` for each. The page posts back to the list with the
        action and the selection, as Django's delete confirmation does."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_each(request, queryset, lambda obj: call(obj, reason), done=done)
            return None
        selected = [(obj.pk, self.row_label(obj)) for obj in queryset.order_by("pk")]
        return self.render_action_page(
            request,
            title=title,
            intro=gettext("The same reason is sent to each of these:"),
            form=form,
            objects=selected,
            bulk_action=action,
            submit_label=title,
            cancel_url=reverse(self._url_name("changelist")),
            danger=True,
        )

    # --- One-object actions -------------------------------------------------------------------

    def get_urls(self):
        # Before the admin's own patterns: "<path:object_id>/" would swallow ".../approve/".
        own = [
            path(
                f"<path:object_id>/{action.slug}/",
                self.admin_site.admin_view(self.object_action_view),
                {"slug": action.slug},
                name=self._url_name(action.slug, prefixed=False),
            )
            for action in self.object_actions
        ]
        return own + super().get_urls()

    def _url_name(self, suffix: str, *, prefixed: bool = True) -> str:
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_{suffix.replace('-', '_')}"
        return f"admin:{name}" if prefixed else name

    def object_action_url(self, obj, action: ObjectAction) -> str:
        return reverse(self._url_name(action.slug), args=[quote(obj.pk)])

    def change_url(self, obj) -> str:
        return reverse(self._url_name("change"), args=[quote(obj.pk)])

    def offered_actions(self, request, obj) -> list[dict]:
        if obj is None or not self.has_process_permission(request, obj):
            return []
        if self.actions_note(request, obj):
            return []
        return [
            {
                "label": action.label,
                "url": self.object_action_url(obj, action),
                "direct": action.direct,
                "style": action.style,
            }
            for action in self.object_actions
            if action.allowed(obj)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "object_actions": self.offered_actions(request, obj),
            "object_actions_note": self.actions_note(request, obj) if obj else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def object_action_view(self, request, object_id, slug):
        action = next(action for action in self.object_actions if action.slug == slug)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("Not found."))
        if not self.has_process_permission(request, obj):
            raise PermissionDenied
        if not action.allowed(obj):
            self.message_user(
                request,
                gettext("This can no longer be done: its status has changed."),
                messages.WARNING,
            )
            return HttpResponseRedirect(self.change_url(obj))
        form = self.object_action_form(
            action, obj, request.POST if request.method == "POST" else None
        )
        if request.method == "POST" and form.is_valid():
            try:
                changed = action.run(self, request, obj, form.cleaned_data)
            except DomainError as exc:
                fields = [name for name in exc.fields if name in form.fields]
                if not fields:
                    self.message_user(request, error_text(exc), messages.ERROR)
                    return HttpResponseRedirect(self.change_url(obj))
                for name in fields:
                    for message in exc.fields[name]:
                        form.add_error(name, message)
            else:
                # A service may answer with another object (a refund for an order).
                target = changed if isinstance(changed, self.model) else obj
                message, level = self.object_action_outcome(action, target, changed)
                self.log_change(request, target, message)
                self.message_user(request, message, level)
                return HttpResponseRedirect(self.change_url(target))
        return self.render_action_page(
            request,
            title=action.label,
            intro=action.intro,
            form=form,
            original=obj,
            summary=self.action_summary(obj),
            submit_label=action.label,
            cancel_url=self.change_url(obj),
            danger=action.style == "danger",
        )

    def object_action_form(self, action: ObjectAction, obj, data) -> forms.Form:
        """The action's form; override to build it for the object (its lines, say)."""
        return action.form_class(data)

    def object_action_outcome(self, action: ObjectAction, obj, result) -> tuple[str, int]:
        """The message (and its level) once the service has done the action."""
        return action.done % {"object": self.row_label(obj)}, messages.SUCCESS

    def render_action_page(self, request, *, title, intro, form, submit_label, cancel_url, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request),
            "title": title,
            "intro": intro,
            "form": form,
            "media": self.media + form.media,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            **extra,
        }
        return TemplateResponse(request, "admin/wallet/action_form.html", context)
