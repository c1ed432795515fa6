"""Cashback in the back office: network-reported events (confirm, decline), missing-cashback
claims (approve, reject), and the read-only debts and referral rewards they lead to.

Money changes only through the cashback and claim services: the pages are read-only and each
action is a service call whose refusals are reported to the operator.
"""

import json

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ReadOnlyAdmin,
    ReasonForm,
    ServiceActionsAdmin,
    badge,
    short_time,
    status_rank,
    two_lines,
)
from coupzii.core.money import format_inr

from ..models import (
    CashbackClaim,
    CashbackDebt,
    CashbackEvent,
    CashbackStatus,
    ClaimStatus,
    ReferralReward,
    ReferralStatus,
)
from ..services.cashback import cashback_confirm, cashback_decline
from ..services.claims import cashback_claim_approve, cashback_claim_reject
from .ledger import ledger_links
from .payouts import user_link


class MatchedFilter(admin.SimpleListFilter):
    title = _("matched to a click")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", _("Matched")), ("no", _("Unmatched"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(user__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__isnull=True)
        return queryset


def _email_or_unmatched(user) -> str:
    return user.email if user else gettext("unmatched")


# --- Events -----------------------------------------------------------------------------------


EVENT_TONES = {
    CashbackStatus.PENDING: "wait",
    CashbackStatus.CONFIRMED: "ok",
    CashbackStatus.DECLINED: "bad",
}
CLAIM_TONES = {ClaimStatus.OPEN: "wait", ClaimStatus.APPROVED: "ok", ClaimStatus.REJECTED: "bad"}


EVENT_ACTIONS = (
    ObjectAction(
        slug="confirm",
        label=_("Confirm"),
        form_class=ConfirmForm,
        run=lambda admin_, request, event, data: cashback_confirm(event=event, actor=request.user),
        allowed=lambda event: event.status == CashbackStatus.PENDING,
        done=_("%(object)s confirmed."),
        intro=_("Confirm this sale? The cashback moves from pending to available."),
    ),
    ObjectAction(
        slug="decline",
        label=_("Decline"),
        form_class=ConfirmForm,
        run=lambda admin_, request, event, data: cashback_decline(event=event, actor=request.user),
        allowed=lambda event: event.status != CashbackStatus.DECLINED,
        done=_("%(object)s declined."),
        intro=_(
            "Decline this sale? Pending cashback is reversed; confirmed cashback is clawed "
            "back from the shopper's available balance (what it cannot cover is owed)."
        ),
        style="danger",
    ),
)


@admin.register(CashbackEvent)
class CashbackEventAdmin(ServiceActionsAdmin):
    list_display = ("occurred", "network_sale", "shopper", "sale_and_cashback", "status_badge")
    list_filter = ("status", "network", "source", MatchedFilter, "occurred_at")
    list_select_related = ("user", "merchant")
    search_fields = ("network_txn_id", "user__email", "=sub_id")
    actions = ("confirm_selected", "decline_selected")
    object_actions = EVENT_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "network",
                    "network_txn_id",
                    "source",
                    "sub_id",
                    "click",
                    "shopper_link",
                    "merchant",
                    "claim_link",
                )
            },
        ),
        (
            _("Money"),
            {
                "fields": (
                    "sale_amount_inr",
                    "commission_inr",
                    "cashback_inr",
                    "status_badge",
                    "ledger_transactions",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "occurred_at",
                    "expected_confirmation",
                    "confirmed_at",
                    "declined_at",
                    "reversed_at",
                    "created_at",
                )
            },
        ),
        (_("As the network reported it"), {"fields": ("raw_payload_pretty",)}),
    )
    readonly_fields = (
        "shopper_link",
        "claim_link",
        "sale_amount_inr",
        "commission_inr",
        "cashback_inr",
        "ledger_transactions",
        "raw_payload_pretty",
        "status_badge",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "merchant", "click")

    def row_label(self, event: CashbackEvent) -> str:
        return gettext("%(network)s sale %(txn)s for %(user)s (%(status)s)") % {
            "network": event.network,
            "txn": event.network_txn_id,
            "user": _email_or_unmatched(event.user),
            "status": event.get_status_display(),
        }

    def action_summary(self, event: CashbackEvent):
        return [
            (gettext("Network"), f"{event.network} · {event.network_txn_id}"),
            (gettext("Shopper"), _email_or_unmatched(event.user)),
            (gettext("Store"), event.merchant or "—"),
            (gettext("Sale"), format_inr(event.sale_amount)),
            (gettext("Cashback"), format_inr(event.cashback)),
            (gettext("Status"), self.status_badge(event)),
        ]

    @admin.action(description=_("Confirm selected cashback"), permissions=["process"])
    def confirm_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda event: cashback_confirm(event=event, actor=request.user),
            done=lambda n: ngettext(
                "%(count)s cashback event confirmed.", "%(count)s cashback events confirmed.", n
            ),
        )

    @admin.action(description=_("Decline selected cashback"), permissions=["process"])
    def decline_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda event: cashback_decline(event=event, actor=request.user),
            done=lambda n: ngettext(
                "%(count)s cashback event declined.", "%(count)s cashback events declined.", n
            ),
        )

    @admin.display(description=_("sold"), ordering="occurred_at")
    def occurred(self, event: CashbackEvent) -> str:
        return short_time(event.occurred_at)

    @admin.display(description=_("network id"), ordering="network_txn_id")
    def network_sale(self, event: CashbackEvent) -> str:
        return two_lines(event.network_txn_id, f"{event.network} · {event.get_source_display()}")

    @admin.display(description=_("sale"), ordering="sale_amount")
    def sale_and_cashback(self, event: CashbackEvent) -> str:
        cashback = gettext("cashback %(amount)s") % {"amount": format_inr(event.cashback)}
        return two_lines(format_inr(event.sale_amount), cashback)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, event: CashbackEvent) -> str:
        if event.reversed_at:
            return badge(gettext("Reversed"), "bad")
        shown = badge(event.get_status_display(), EVENT_TONES[event.status])
        if event.status == CashbackStatus.PENDING and event.expected_confirmation:
            expected = event.expected_confirmation.strftime("%d %b %Y")
            return two_lines(shown, gettext("expected %(date)s") % {"date": expected})
        return shown

    @admin.display(description=_("shopper"), ordering="user__email")
    def shopper(self, event: CashbackEvent) -> str:
        return two_lines(_email_or_unmatched(event.user), event.merchant or "—")

    @admin.display(description=_("shopper"))
    def shopper_link(self, event: CashbackEvent) -> str:
        return user_link(event.user) if event.user else gettext("unmatched")

    @admin.display(description=_("missing-cashback claim"))
    def claim_link(self, event: CashbackEvent) -> str:
        claim = CashbackClaim.objects.filter(event=event).only("pk", "order_id").first()
        if claim is None:
            return "—"
        url = reverse("admin:wallet_cashbackclaim_change", args=[claim.pk])
        return format_html('<a href="{}">{}</a>', url, claim.order_id)

    @admin.display(description=_("sale amount"), ordering="sale_amount")
    def sale_amount_inr(self, event: CashbackEvent) -> str:
        return format_inr(event.sale_amount)

    @admin.display(description=_("commission"))
    def commission_inr(self, event: CashbackEvent) -> str:
        return format_inr(event.commission) if event.commission is not None else "—"

    @admin.display(description=_("cashback"), ordering="cashback")
    def cashback_inr(self, event: CashbackEvent) -> str:
        return format_inr(event.cashback)

    @admin.display(description=_("ledger transactions"))
    def ledger_transactions(self, event: CashbackEvent) -> str:
        return ledger_links("cashback_event", event.public_id)

    @admin.display(description=_("raw payload"))
    def raw_payload_pretty(self, event: CashbackEvent) -> str:
        text = json.dumps(event.raw_payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html('<pre style="margin:0;white-space:pre-wrap">{}</pre>', text)


# --- Claims -----------------------------------------------------------------------------------


CLAIM_ACTIONS = (
    ObjectAction(
        slug="approve",
        label=_("Approve"),
        form_class=ConfirmForm,
        run=lambda admin_, request, claim, data: cashback_claim_approve(
            claim=claim, operator=request.user
        ),
        allowed=lambda claim: claim.status == ClaimStatus.OPEN,
        done=_("%(object)s approved: its cashback is pending."),
        intro=_(
            "Approve this claim? A pending cashback event is created from the store's rates; "
            "confirm it once the store or network confirms the order."
        ),
    ),
    ObjectAction(
        slug="reject",
        label=_("Reject"),
        form_class=ReasonForm,
        run=lambda admin_, request, claim, data: cashback_claim_reject(
            claim=claim, operator=request.user, reason=data["reason"]
        ),
        allowed=lambda claim: claim.status == ClaimStatus.OPEN,
        done=_("%(object)s rejected."),
        intro=_("Reject this claim: the shopper is told why."),
        style="danger",
    ),
)


@admin.register(CashbackClaim)
class CashbackClaimAdmin(ServiceActionsAdmin):
    list_display = ("filed", "shopper", "order", "amount_inr", "status_badge")
    list_filter = ("status", "created_at")
    list_select_related = ("user", "click__merchant", "event")
    search_fields = ("order_id", "user__email", "=public_id")
    actions = ("approve_selected", "reject_selected")
    object_actions = CLAIM_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "shopper_link",
                    "merchant",
                    "click",
                    "order_id",
                    "amount_inr",
                    "order_date",
                    "receipt_preview",
                    "created_at",
                )
            },
        ),
        (
            _("Review"),
            {"fields": ("status_badge", "reviewed_by", "reviewed_at", "rejection_reason")},
        ),
    )
    readonly_fields = (
        "shopper_link",
        "merchant",
        "amount_inr",
        "receipt_preview",
        "event_link",
        "status_badge",
        "created_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "click__merchant", "event", "reviewed_by")
        )

    def get_ordering(self, request):
        # Claims waiting for review first, oldest first.
        return (status_rank("status", (ClaimStatus.OPEN,)).asc(), "created_at")

    def row_label(self, claim: CashbackClaim) -> str:
        return gettext("Claim for order %(order)s by %(user)s (%(status)s)") % {
            "order": claim.order_id,
            "user": claim.user.email,
            "status": claim.get_status_display(),
        }

    def action_summary(self, claim: CashbackClaim):
        return [
            (gettext("Shopper"), claim.user.email),
            (gettext("Store"), claim.click.merchant),
            (gettext("Order id"), claim.order_id),
            (gettext("Order amount"), format_inr(claim.amount)),
            (gettext("Order date"), claim.order_date),
            (gettext("Clicked out"), short_time(claim.click.created_at)),
            (gettext("Status"), self.status_badge(claim)),
            (gettext("Receipt"), self.receipt_link(claim)),
        ]

    @admin.action(description=_("Approve selected claims"), permissions=["process"])
    def approve_selected(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda claim: cashback_claim_approve(claim=claim, operator=request.user),
            done=lambda n: ngettext(
                "%(count)s claim approved: its cashback is pending.",
                "%(count)s claims approved: their cashback is pending.",
                n,
            ),
        )

    @admin.action(description=_("Reject selected claims…"), permissions=["process"])
    def reject_selected(self, request, queryset):
        return self.run_each_with_reason(
            request,
            queryset,
            lambda claim, reason: cashback_claim_reject(
                claim=claim, operator=request.user, reason=reason
            ),
            action="reject_selected",
            title=gettext("Reject claims"),
            done=lambda n: ngettext("%(count)s claim rejected.", "%(count)s claims rejected.", n),
        )

    @admin.display(description=_("filed"), ordering="created_at")
    def filed(self, claim: CashbackClaim) -> str:
        return short_time(claim.created_at)

    @admin.display(description=_("order"), ordering="order_id")
    def order(self, claim: CashbackClaim) -> str:
        ordered = claim.order_date.strftime("%d %b %Y")
        if claim.receipt:
            return two_lines(
                claim.order_id, format_html("{} · {}", ordered, self.receipt_link(claim))
            )
        return two_lines(claim.order_id, ordered)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, claim: CashbackClaim) -> str:
        shown = badge(claim.get_status_display(), CLAIM_TONES[claim.status])
        if claim.event is not None:
            return two_lines(shown, self.event_link(claim))
        return shown

    @admin.display(description=_("shopper"), ordering="user__email")
    def shopper(self, claim: CashbackClaim) -> str:
        return two_lines(claim.user.email, claim.click.merchant)

    @admin.display(description=_("shopper"))
    def shopper_link(self, claim: CashbackClaim) -> str:
        return user_link(claim.user)

    @admin.display(description=_("store"))
    def merchant(self, claim: CashbackClaim) -> str:
        return str(claim.click.merchant)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_inr(self, claim: CashbackClaim) -> str:
        return format_inr(claim.amount)

    def receipt_url(self, claim: CashbackClaim) -> str:
        # Receipts are private: the owner-checked view serves them to operators too.
        return reverse("wallet_claim_receipt", args=[claim.public_id])

    @admin.display(description=_("receipt"))
    def receipt_link(self, claim: CashbackClaim) -> str:
        if not claim.receipt:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            self.receipt_url(claim),
            gettext("receipt"),
        )

    @admin.display(description=_("receipt"))
    def receipt_preview(self, claim: CashbackClaim) -> str:
        if not claim.receipt:
            return gettext("No receipt uploaded.")
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">'
            '<img src="{0}" alt="{1}" style="max-width:420px;max-height:420px"></a>',
            self.receipt_url(claim),
            gettext("Receipt"),
        )

    @admin.display(description=_("cashback event"))
    def event_link(self, claim: CashbackClaim) -> str:
        if claim.event is None:
            return "—"
        url = reverse("admin:wallet_cashbackevent_change", args=[claim.event_id])
        return format_html(
            '<a href="{}">{}</a>',
            url,
            f"{format_inr(claim.event.cashback)} · {claim.event.get_status_display()}",
        )


# --- Read-only: debts and referral rewards ------------------------------------------------------


class OwingFilter(admin.SimpleListFilter):
    title = _("recovered")
    parameter_name = "owing"

    def lookups(self, request, model_admin):
        return [("yes", _("Still owed")), ("no", _("Fully recovered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(recovered__lt=F("amount"))
        if self.value() == "no":
            return queryset.filter(recovered=F("amount"))
        return queryset


@admin.register(CashbackDebt)
class CashbackDebtAdmin(ReadOnlyAdmin):
    list_display = (
        "clawed_back",
        "user",
        "event",
        "amount_inr",
        "recovered_inr",
        "outstanding_inr",
    )
    list_filter = (OwingFilter,)
    list_select_related = ("user", "event")
    search_fields = ("user__email", "event__network_txn_id")

    @admin.display(description=_("clawed back"), ordering="created_at")
    def clawed_back(self, debt: CashbackDebt) -> str:
        return short_time(debt.created_at)

    @admin.display(description=_("owed"), ordering="amount")
    def amount_inr(self, debt: CashbackDebt) -> str:
        return format_inr(debt.amount)

    @admin.display(description=_("recovered"), ordering="recovered")
    def recovered_inr(self, debt: CashbackDebt) -> str:
        return format_inr(debt.recovered)

    @admin.display(description=_("still owed"))
    def outstanding_inr(self, debt: CashbackDebt) -> str:
        return format_inr(debt.outstanding)


@admin.register(ReferralReward)
class ReferralRewardAdmin(ReadOnlyAdmin):
    list_display = ("decided", "referred_by", "status_and_reason", "bonuses")
    list_filter = ("status",)
    list_select_related = ("referred", "referrer")
    search_fields = ("referred__email", "referrer__email")

    @admin.display(description=_("decided"), ordering="created_at")
    def decided(self, reward: ReferralReward) -> str:
        return short_time(reward.created_at)

    @admin.display(description=_("referred friend"), ordering="referred__email")
    def referred_by(self, reward: ReferralReward) -> str:
        by = gettext("referred by %(email)s") % {"email": reward.referrer.email}
        return two_lines(reward.referred.email, by)

    @admin.display(description=_("status"), ordering="status")
    def status_and_reason(self, reward: ReferralReward) -> str:
        tone = "ok" if reward.status == ReferralStatus.REWARDED else "off"
        shown = badge(reward.get_status_display(), tone)
        return two_lines(shown, reward.reason) if reward.reason else shown

    @admin.display(description=_("bonuses"))
    def bonuses(self, reward: ReferralReward) -> str:
        return two_lines(
            gettext("referrer %(amount)s") % {"amount": format_inr(reward.referrer_bonus)},
            gettext("welcome %(amount)s") % {"amount": format_inr(reward.welcome_bonus)},
        )
