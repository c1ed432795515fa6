"""Back office for unique-code books: books with their code counts, generating and importing
codes, the codes themselves (search, filters, void, release a lock), and the read-only
redemption audit. offers/admin.py imports this module; it registers on the default site.

Codes and audit rows change only through offers.books, so every change is audited: the
code pages are read-only, and their actions call the services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError

from .. import books
from ..models import CodeStatus, CouponBook, CouponCode, RedemptionAudit
from . import selectors as book_selectors

# The intermediate pages, kept here so the module stands alone (no admin template files).
FORM_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}{% load i18n admin_urls %}
{% block breadcrumbs %}<div class="breadcrumbs">
  <a href="{% url 'admin:index' %}">{% translate 'Home' %}</a>
  &rsaquo; <a href="{% url 'admin:app_list' app_label=opts.app_label %}">
    {{ opts.app_config.verbose_name }}</a>
  &rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">
    {{ opts.verbose_name_plural|capfirst }}</a>
  &rsaquo; {{ title }}
</div>{% endblock %}
{% block content %}
<form method="post"{% if form.is_multipart %} enctype="multipart/form-data"{% endif %}>
  {% csrf_token %}
  <p>{{ intro }}</p>
  <ul>{% for book in selected_books %}
    <li><strong>{{ book.name }}</strong> · {{ book.offer }} ·
      <code>{{ book.code_pattern }}</code></li>
  {% endfor %}</ul>
  {{ form.as_p }}
  {% for book in selected_books %}
    <input type="hidden" name="_selected_action" value="{{ book.pk }}">
  {% endfor %}
  {% if action_name %}
    <input type="hidden" name="action" value="{{ action_name }}">
    <input type="hidden" name="apply" value="1">
  {% endif %}
  <div class="submit-row">
    <input type="submit" class="default" value="{{ submit_label }}">
    <a href="{{ cancel_url }}" class="button cancel-link">{% translate 'Cancel' %}</a>
  </div>
</form>
{% endblock %}"""
)


class GenerateCodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many codes"),
        min_value=1,
        max_value=books.MAX_GENERATE,
        help_text=_("New random codes for each selected book, made from its code pattern."),
    )


class ImportCodesForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, one code per row in the first column; a header row is optional. Codes are "
            "1 to 64 letters, digits, '-' or '_'. Duplicates are skipped."
        ),
    )


def _count_of_codes(**filters) -> Coalesce:
    codes = (
        CouponCode.objects.filter(book=OuterRef("pk"), **filters)
        .order_by()
        .values("book")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(codes, output_field=IntegerField()), 0)


@admin.register(CouponBook)
class CouponBookAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "offer",
        "status",
        "code_pattern",
        "per_user_limit",
        "max_redemptions_per_code",
        "codes_available",
        "codes_total",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("name", "offer__title", "=public_id")
    list_select_related = ("offer",)
    raw_id_fields = ("offer",)
    readonly_fields = ("public_id", "code_counts", "code_tools", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("offer", "name", "status", "public_id")}),
        (
            _("Codes"),
            {
                "fields": (
                    "code_pattern",
                    "max_redemptions_per_code",
                    "per_user_limit",
                    "lock_ttl_seconds",
                    "code_counts",
                    "code_tools",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    actions = ("generate_codes", "import_codes")

    def get_queryset(self, request):
        # Correlated counts: computed for the rows of the page only.
        return (
            super()
            .get_queryset(request)
            .annotate(
                codes_total=_count_of_codes(),
                codes_available=_count_of_codes(status=CodeStatus.AVAILABLE),
            )
        )

    def has_delete_permission(self, request, obj=None):
        # Deleting a book would delete its codes and their audit trail: close it instead.
        return False

    @admin.display(description=_("available"), ordering="codes_available")
    def codes_available(self, book):
        return book.codes_available

    @admin.display(description=_("codes"), ordering="codes_total")
    def codes_total(self, book):
        return book.codes_total

    @admin.display(description=_("codes by status"))
    def code_counts(self, book):
        if book is None or book.pk is None:
            return "—"
        counts = book_selectors.book_code_counts(book)
        changelist = reverse("admin:offers_couponcode_changelist")
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td><a href="{}?book__id__exact={}&amp;status__exact={}">{}</a></td>'
                '<td style="text-align:right">{}</td></tr>',
                (
                    (changelist, book.pk, status, label, counts[status])
                    for status, label in CodeStatus.choices
                ),
            ),
        )

    @admin.display(description=_("add codes"))
    def code_tools(self, book):
        if book is None or book.pk is None:
            return gettext("Save the book first.")
        return format_html(
            '<a class="button" href="{}">{}</a> &nbsp; {}',
            reverse("admin:offers_couponbook_import", args=[book.pk]),
            gettext("Import codes from CSV…"),
            gettext('or choose "Generate codes…" for this book on the list of books.'),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-codes/",
                self.admin_site.admin_view(self.import_codes_view),
                name="offers_couponbook_import",
            ),
            *super().get_urls(),
        ]

    def _form_page(self, request, *, title, intro, form, selected_books, submit_label, action=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "intro": intro,
            "form": form,
            "selected_books": selected_books,
            "action_name": action,
            "submit_label": submit_label,
            "cancel_url": reverse("admin:offers_couponbook_changelist"),
        }
        return FORM_PAGE.render(context, request)

    @admin.action(description=_("Generate codes…"), permissions=["change"])
    def generate_codes(self, request, queryset):
        selected = list(queryset.select_related("offer").order_by("pk"))
        form = GenerateCodesForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return HttpResponse(
                self._form_page(
                    request,
                    title=gettext("Generate codes"),
                    intro=gettext("New codes will be added to these books:"),
                    form=form,
                    selected_books=selected,
                    submit_label=gettext("Generate"),
                    action="generate_codes",
                )
            )
        count = form.cleaned_data["count"]
        for book in selected:
            try:
                created = books.codes_generate(book=book, count=count, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{book.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(book)s: %(count)s new codes.")
                    % {"book": book.name, "count": created},
                    messages.SUCCESS,
                )
        return None

    @admin.action(description=_("Import codes from CSV…"), permissions=["change"])
    def import_codes(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True)[:2])
        if len(selected) != 1:
            self.message_user(
                request, gettext("Choose exactly one book to import codes into."), messages.WARNING
            )
            return None
        return HttpResponseRedirect(reverse("admin:offers_couponbook_import", args=selected))

    def import_codes_view(self, request, object_id):
        book = get_object_or_404(CouponBook.objects.select_related("offer"), pk=object_id)
        if not self.has_change_permission(request, book):
            raise PermissionDenied
        form = ImportCodesForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = books.codes_import_csv(
                    book=book, file=form.cleaned_data["file"], actor=request.user
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                level = messages.WARNING if report["invalid"] else messages.SUCCESS
                message = (
                    gettext(
                        "%(created)s codes added, %(duplicates)s duplicates skipped, "
                        "%(invalid)s invalid rows skipped."
                    )
                    % report
                )
                if report["invalid_rows"]:
                    message += " " + gettext("Invalid rows: %(rows)s.") % {
                        "rows": ", ".join(str(row) for row in report["invalid_rows"])
                    }
                self.message_user(request, message, level)
                return HttpResponseRedirect(
                    reverse("admin:offers_couponbook_change", args=[book.pk])
                )
        return HttpResponse(
            self._form_page(
                request,
                title=gettext("Import codes"),
                intro=gettext("Codes from the file will be added to this book:"),
                form=form,
                selected_books=[book],
                submit_label=gettext("Import"),
            )
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: the services write these rows."""

    # COUNT(*) over millions of codes or audit rows on every page view is not worth it.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CouponCode)
class CouponCodeAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "book",
        "status",
        "holder",
        "claim_slot",
        "redemption_count",
        "claimed_at",
        "locked_until",
    )
    list_filter = ("status", "book")
    search_fields = ("=code",)
    list_select_related = ("book", "holder")
    actions = ("void_codes", "release_locks")

    def has_manage_permission(self, request):
        return request.user.has_perm("offers.change_couponcode")

    @admin.action(description=_("Void selected codes"), permissions=["manage"])
    def void_codes(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda code: books.code_void(
                book=code.book, code=code, actor=request.user, reason="voided in the admin"
            ),
            done=gettext("%(count)s codes voided."),
        )

    @admin.action(description=_("Release the checkout lock"), permissions=["manage"])
    def release_locks(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=CodeStatus.LOCKED),
            lambda code: books.code_unlock(
                book=code.book, code=code, actor=request.user, force=True
            ),
            done=gettext("%(count)s locks released."),
        )

    def _each(self, request, queryset, action, *, done: str) -> None:
        changed = 0
        for code in queryset.select_related("book").order_by("pk"):
            try:
                action(code)
            except DomainError as exc:
                self.message_user(request, f"{code.code}: {exc.message}", messages.WARNING)
            else:
                changed += 1
        self.message_user(request, done % {"count": changed}, messages.SUCCESS)


@admin.register(RedemptionAudit)
class RedemptionAuditAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "action",
        "ok",
        "book",
        "code",
        "actor",
        "reason",
        "order_reference",
        "client_ip",
    )
    list_filter = ("action", "ok")
    search_fields = ("=code__code", "=idempotency_key", "=order_reference")
    list_select_related = ("book", "code", "actor")
    raw_id_fields = ("book", "code", "actor")
