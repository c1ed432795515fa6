"""The payout side of the back office: the withdrawal queue (approve, mark paid with the UTR,
reject, mark the payout failed) and the KYC queue (verify, reject).

Both are read-only forms; each step is a service call, so the ledger, the audit trail and the
shopper's notification move together, and the services' refusals (an operator acting on their
own withdrawal, a status that changed meanwhile) are shown to the operator.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ReadOnlyInline,
    ReasonForm,
    ServiceActionsAdmin,
    badge,
    short_time,
    status_rank,
    two_lines,
    waiting_for,
)
from coupzii.core.money import format_inr

from .. import ledger
from ..models import (
    AccountKind,
    KycProfile,
    KycStatus,
    Withdrawal,
    WithdrawalAudit,
    WithdrawalStatus,
)
from ..services.kyc import kyc_reject, kyc_verify
from ..services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
)
from .ledger import ledger_links

S = WithdrawalStatus


def user_link(user) -> str:
    url = reverse("admin:accounts_user_change", args=[user.pk])
    return format_html('<a href="{}">{}</a>', url, user.email)


# --- Withdrawals ------------------------------------------------------------------------------


class UtrForm(forms.Form):
    utr = forms.CharField(
        label=_("UTR"),
        max_length=40,
        help_text=_("The bank's reference for this payout: 6 to 40 letters and digits."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


WITHDRAWAL_ACTIONS = (
    ObjectAction(
        slug="approve",
        label=_("Approve"),
        form_class=ConfirmForm,
        run=lambda admin_, request, withdrawal, data: withdrawal_approve(
            withdrawal=withdrawal, operator=request.user
        ),
        allowed=lambda withdrawal: withdrawal.status == S.REQUESTED,
        done=_("%(object)s approved."),
        intro=_("Approve this withdrawal? Next, send the money and record the bank's UTR."),
    ),
    ObjectAction(
        slug="mark-paid",
        label=_("Mark paid"),
        form_class=UtrForm,
        run=lambda admin_, request, withdrawal, data: withdrawal_mark_paid(
            withdrawal=withdrawal, operator=request.user, utr=data["utr"]
        ),
        allowed=lambda withdrawal: withdrawal.status == S.APPROVED,
        done=_("%(object)s marked paid."),
        intro=_("Record the payout once the bank has sent the money."),
        style="default",
    ),
    ObjectAction(
        slug="reject",
        label=_("Reject"),
        form_class=ReasonForm,
        run=lambda admin_, request, withdrawal, data: withdrawal_reject(
            withdrawal=withdrawal, operator=request.user, reason=data["reason"]
        ),
        allowed=lambda withdrawal: withdrawal.is_open,
        done=_("%(object)s rejected: the amount is back in the shopper's available balance."),
        intro=_("Reject this withdrawal: the amount goes back to the shopper's available balance."),
        style="danger",
    ),
    ObjectAction(
        slug="payout-failed",
        label=_("Mark payout failed"),
        form_class=ReasonForm,
        run=lambda admin_, request, withdrawal, data: withdrawal_mark_failed(
            withdrawal=withdrawal, operator=request.user, reason=data["reason"]
        ),
        allowed=lambda withdrawal: withdrawal.status == S.APPROVED,
        done=_("%(object)s marked failed: the amount is back in the shopper's available balance."),
        intro=_(
            "The bank returned or refused the payout: the amount goes back to the shopper's "
            "available balance."
        ),
        style="danger",
    ),
)


WITHDRAWAL_TONES = {
    S.REQUESTED: "wait",
    S.APPROVED: "info",
    S.PAID: "ok",
    S.REJECTED: "bad",
    S.FAILED: "bad",
}
KYC_TONES = {
    KycStatus.UNVERIFIED: "off",
    KycStatus.SUBMITTED: "wait",
    KycStatus.VERIFIED: "ok",
    KycStatus.REJECTED: "bad",
}


class WithdrawalAuditInline(ReadOnlyInline):
    model = WithdrawalAudit
    fields = ("when", "action", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = _("audit trail")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("when"))
    def when(self, entry: WithdrawalAudit) -> str:
        return short_time(entry.created_at)


@admin.register(Withdrawal)
class WithdrawalAdmin(ServiceActionsAdmin):
    list_display = ("requested", "requester", "amount_inr", "status_badge")
    list_filter = ("status", "method", "created_at")
    list_select_related = ("user", "approved_by")
    search_fields = ("user__email", "=utr", "=public_id")
    actions = ("approve_selected",)
    object_actions = WITHDRAWAL_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "requester_link",
                    "amount_inr",
                    "method",
                    "destination",
                    "pay_to",
                    "status_badge",
                    "requested",
                )
            },
        ),
        (
            _("Outcome"),
            {"fields": ("approved_by", "approved", "utr", "reason", "completed")},
        ),
        (_("Money"), {"fields": ("balances", "ledger_transactions")}),
    )
    readonly_fields = (
        "requester_link",
        "amount_inr",
        "pay_to",
        "balances",
        "ledger_transactions",
        "status_badge",
        "requested",
        "approved",
        "completed",
    )
    inlines = (WithdrawalAuditInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "approved_by")

    def get_ordering(self, request):
        # The queue: waiting for approval, then waiting for the payout, oldest first in each.
        return (status_rank("status", (S.REQUESTED, S.APPROVED)).asc(), "created_at")

    def row_label(self, withdrawal: Withdrawal) -> str:
        return gettext("Withdrawal #%(id)s of %(amount)s for %(user)s (%(status)s)") % {
            "id": withdrawal.pk,
            "amount": format_inr(withdrawal.amount),
            "user": withdrawal.user.email,
            "status": withdrawal.get_status_display(),
        }

    def action_summary(self, withdrawal: Withdrawal):
        return [
            (gettext("Requested by"), withdrawal.user.email),
            (gettext("Amount"), format_inr(withdrawal.amount)),
            (gettext("Method"), withdrawal.get_method_display()),
            (gettext("Paid to"), withdrawal.destination),
            (gettext("Status"), self.status_badge(withdrawal)),
            (gettext("Requested"), self.requested(withdrawal)),
            (gettext("Approved by"), withdrawal.approved_by or "—"),
        ]

    def actions_note(self, request, withdrawal: Withdrawal) -> str:
        if withdrawal.is_open and withdrawal.user_id == request.user.pk:
            return gettext(
                "You requested this withdrawal: another operator must approve, pay or reject it."
            )
        return ""

    @admin.action(description=_("Approve selected withdrawals"), permissions=["process"])
    def approve_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda withdrawal: withdrawal_approve(withdrawal=withdrawal, operator=request.user),
            done=lambda n: ngettext(
                "%(count)s withdrawal approved.", "%(count)s withdrawals approved.", n
            ),
        )

    @admin.display(description=_("requested"), ordering="created_at")
    def requested(self, withdrawal: Withdrawal) -> str:
        if not withdrawal.is_open:
            return short_time(withdrawal.created_at)
        waited = gettext("waiting %(time)s") % {"time": waiting_for(withdrawal.created_at)}
        return two_lines(short_time(withdrawal.created_at), waited)

    @admin.display(description=_("approved"))
    def approved(self, withdrawal: Withdrawal) -> str:
        return short_time(withdrawal.approved_at)

    @admin.display(description=_("completed"))
    def completed(self, withdrawal: Withdrawal) -> str:
        return short_time(withdrawal.completed_at)

    @admin.display(description=_("requested by"), ordering="user__email")
    def requester(self, withdrawal: Withdrawal) -> str:
        return two_lines(withdrawal.user.email, self.paid_to(withdrawal))

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, withdrawal: Withdrawal) -> str:
        shown = badge(withdrawal.get_status_display(), WITHDRAWAL_TONES[withdrawal.status])
        if withdrawal.utr:
            return two_lines(shown, f"UTR {withdrawal.utr}")
        return shown

    @admin.display(description=_("paid to"))
    def paid_to(self, withdrawal: Withdrawal) -> str:
        return f"{withdrawal.get_method_display()} · {withdrawal.destination}"

    @admin.display(description=_("pay to"))
    def pay_to(self, withdrawal: Withdrawal) -> str:
        # The full account is decrypted only while the payout is being made: once approved
        # and until it is paid or fails.
        if withdrawal.status != S.APPROVED:
            return gettext("shown once approved, until paid")
        return withdrawal.payout_account or "—"

    @admin.display(description=_("requested by"))
    def requester_link(self, withdrawal: Withdrawal) -> str:
        return user_link(withdrawal.user)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_inr(self, withdrawal: Withdrawal) -> str:
        return format_inr(withdrawal.amount)

    @admin.display(description=_("shopper's balances now"))
    def balances(self, withdrawal: Withdrawal) -> str:
        now = ledger.balances(withdrawal.user)
        return gettext("available %(available)s · pending %(pending)s · held %(held)s") % {
            "available": format_inr(now[AccountKind.AVAILABLE]),
            "pending": format_inr(now[AccountKind.PENDING]),
            "held": format_inr(now[AccountKind.HELD]),
        }

    @admin.display(description=_("ledger transactions"))
    def ledger_transactions(self, withdrawal: Withdrawal) -> str:
        return ledger_links("withdrawal", withdrawal.public_id)


# --- KYC --------------------------------------------------------------------------------------


KYC_ACTIONS = (
    ObjectAction(
        slug="verify",
        label=_("Verify"),
        form_class=ConfirmForm,
        run=lambda admin_, request, profile, data: kyc_verify(
            profile=profile, operator=request.user
        ),
        allowed=lambda profile: profile.status == KycStatus.SUBMITTED,
        done=_("%(object)s verified."),
        intro=_("Verify these details? The shopper can then withdraw to them."),
    ),
    ObjectAction(
        slug="reject",
        label=_("Reject"),
        form_class=ReasonForm,
        run=lambda admin_, request, profile, data: kyc_reject(
            profile=profile, operator=request.user, reason=data["reason"]
        ),
        allowed=lambda profile: profile.status == KycStatus.SUBMITTED,
        done=_("%(object)s rejected."),
        intro=_("Reject these details: the shopper is told why and can submit them again."),
        style="danger",
    ),
)


@admin.register(KycProfile)
class KycProfileAdmin(ServiceActionsAdmin):
    """The KYC queue. PAN and bank account numbers are shown masked only: the encrypted
    columns are not even read for these pages, and they cannot be searched."""

    list_display = ("user_email", "pan_masked", "payout", "status_badge", "submitted")
    list_filter = ("status",)
    list_select_related = ("user", "reviewed_by")
    search_fields = ("user__email", "legal_name", "upi_id")
    actions = ("verify_selected", "reject_selected")
    object_actions = KYC_ACTIONS
    fieldsets = (
        (None, {"fields": ("user_link_", "legal_name", "status_badge", "submitted_at")}),
        (
            _("Payout details"),
            {"fields": ("pan_masked", "upi_id", "bank_masked", "ifsc", "shared_destination")},
        ),
        (_("Review"), {"fields": ("reviewed_by", "reviewed_at", "rejection_reason")}),
    )
    readonly_fields = (
        "user_link_",
        "pan_masked",
        "bank_masked",
        "shared_destination",
        "status_badge",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("pan", "bank_account")
            .select_related("user", "reviewed_by")
        )

    def get_ordering(self, request):
        # Waiting for review first, oldest submission first.
        return (status_rank("status", (KycStatus.SUBMITTED,)).asc(), "submitted_at")

    def row_label(self, profile: KycProfile) -> str:
        return gettext("KYC of %(user)s (%(status)s)") % {
            "user": profile.user.email,
            "status": profile.get_status_display(),
        }

    def action_summary(self, profile: KycProfile):
        return [
            (gettext("Shopper"), profile.user.email),
            (gettext("Name as on PAN"), profile.legal_name),
            (gettext("PAN"), profile.pan_masked),
            (gettext("UPI id"), profile.upi_id or "—"),
            (gettext("Bank account"), self.bank_masked(profile)),
            (gettext("Status"), self.status_badge(profile)),
            (gettext("Same payout details as"), self.shared_destination(profile)),
        ]

    @admin.action(description=_("Verify selected KYC details"), permissions=["process"])
    def verify_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda profile: kyc_verify(profile=profile, operator=request.user),
            done=lambda n: ngettext(
                "%(count)s KYC profile verified.", "%(count)s KYC profiles verified.", n
            ),
        )

    @admin.action(description=_("Reject selected KYC details…"), permissions=["process"])
    def reject_selected(self, request, queryset):
        return self.run_each_with_reason(
            request,
            queryset,
            lambda profile, reason: kyc_reject(
                profile=profile, operator=request.user, reason=reason
            ),
            action="reject_selected",
            title=gettext("Reject KYC details"),
            done=lambda n: ngettext(
                "%(count)s KYC profile rejected.", "%(count)s KYC profiles rejected.", n
            ),
        )

    @admin.display(description=_("shopper"), ordering="user__email")
    def user_email(self, profile: KycProfile) -> str:
        return two_lines(profile.user.email, profile.legal_name)

    @admin.display(description=_("paid to"))
    def payout(self, profile: KycProfile) -> str:
        places = [profile.upi_id, profile.bank_last4 and self.bank_masked(profile)]
        return (
            format_html_join(mark_safe("<br>"), "{}", ((place,) for place in places if place))
            or "—"
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, profile: KycProfile) -> str:
        return badge(profile.get_status_display(), KYC_TONES[profile.status])

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, profile: KycProfile) -> str:
        if profile.status != KycStatus.SUBMITTED:
            return short_time(profile.submitted_at)
        waited = gettext("waiting %(time)s") % {"time": waiting_for(profile.submitted_at)}
        return two_lines(short_time(profile.submitted_at), waited)

    @admin.display(description=_("shopper"))
    def user_link_(self, profile: KycProfile) -> str:
        return user_link(profile.user)

    @admin.display(description=_("PAN"))
    def pan_masked(self, profile: KycProfile) -> str:
        return profile.pan_masked

    @admin.display(description=_("bank account"))
    def bank_masked(self, profile: KycProfile) -> str:
        if not profile.bank_last4:
            return "—"
        return f"{profile.bank_masked} · {profile.ifsc}"

    @admin.display(description=_("same payout details as"))
    def shared_destination(self, profile: KycProfile) -> str:
        """Other shoppers paid to the same UPI id or bank account (compared by keyed hash):
        a sign of one person behind several accounts."""
        same = Q()
        if profile.upi_digest:
            same |= Q(upi_digest=profile.upi_digest)
        if profile.bank_digest:
            same |= Q(bank_digest=profile.bank_digest)
        if not same:
            return "—"
        others = (
            KycProfile.objects.filter(same)
            .exclude(pk=profile.pk)
            .values_list("user__email", flat=True)[:10]
        )
        return ", ".join(others) or gettext("Nobody else")
