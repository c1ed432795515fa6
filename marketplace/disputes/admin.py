"""Back office for disputes (imported by marketplace.admin): the queue (open and answered
first, oldest first) with its decisions (refund to the gateway, refund to the wallet, release
to the seller) and the refund after release; sellers' debts, read only.

Every decision goes through the services, on a confirmation page with an optional note the
buyer and seller see; their refusals (decided meanwhile, not refundable) are shown to the
operator. `REFUND_AFTER_RELEASE` is an ObjectAction on a Purchase, for the purchases admin.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import (
    ConfirmForm,
    ObjectAction,
    ReadOnlyAdmin,
    ServiceActionsAdmin,
    badge,
    short_time,
    two_lines,
    waiting_for,
)
from coupzii.core.money import format_inr

from ..models import (
    Dispute,
    DisputeStatus,
    PaymentMethod,
    PurchaseStatus,
    RefundTo,
    SellerDebt,
    Suspension,
)
from . import selectors
from .services import (
    REFUND,
    RELEASE,
    dispute_decide,
    purchase_refund_after_release,
    suspension_lift,
)

D = DisputeStatus
TONES = {
    D.OPEN: "wait",
    D.ANSWERED: "wait",
    D.REFUNDED: "bad",
    D.RELEASED: "ok",
}


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the buyer and seller"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autofocus": True}),
        help_text=_("Optional: both sides see it with the decision."),
    )


def _undecided(dispute: Dispute) -> bool:
    return dispute.status in (D.OPEN, D.ANSWERED)


def _decide(outcome: str, refund_to: str | None = None):
    def run(admin_, request, dispute, data):
        return dispute_decide(
            operator=request.user,
            public_id=dispute.public_id,
            outcome=outcome,
            refund_to=refund_to,
            note=data["note"],
        )

    return run


REFUND_INTRO = _(
    "Refund the buyer the full price from escrow. The seller gets nothing for this sale; a "
    "seller refunded against 3 times in 30 days is suspended from listing."
)

DISPUTE_ACTIONS = (
    ObjectAction(
        slug="refund-gateway",
        label=_("Refund to card or UPI"),
        form_class=DecisionForm,
        run=_decide(REFUND, RefundTo.GATEWAY),
        allowed=lambda d: _undecided(d) and d.purchase.method == PaymentMethod.RAZORPAY,
        done=_("%(object)s: the buyer is refunded to their card or UPI."),
        intro=REFUND_INTRO,
        style="danger",
    ),
    ObjectAction(
        slug="refund-wallet",
        label=_("Refund to wallet"),
        form_class=DecisionForm,
        run=_decide(REFUND, RefundTo.WALLET),
        allowed=_undecided,
        done=_("%(object)s: the buyer is refunded to their wallet."),
        intro=REFUND_INTRO,
        style="danger",
    ),
    ObjectAction(
        slug="release",
        label=_("Release to the seller"),
        form_class=DecisionForm,
        run=_decide(RELEASE),
        allowed=_undecided,
        done=_("%(object)s: the seller is paid."),
        intro=_(
            "Pay the seller now (the price less the fee), even if the dispute window has not "
            "ended. The buyer is not refunded."
        ),
        style="default",
    ),
    ObjectAction(
        slug="refund-after-release",
        label=_("Refund after release"),
        form_class=DecisionForm,
        run=lambda admin_, request, dispute, data: purchase_refund_after_release(
            operator=request.user, number=dispute.purchase.number, note=data["note"]
        ),
        allowed=lambda d: d.purchase.status == PurchaseStatus.RELEASED,
        done=_("%(object)s: the buyer is refunded to their wallet; the seller pays it back."),
        intro=_(
            "The seller has been paid. The buyer gets the full price back in their wallet and "
            "the fee is given back; the seller's wallet pays what it can of their payout, and "
            "what it can't is owed, taken from their next payouts."
        ),
        style="danger",
    ),
)

# For the purchases admin's object_actions (a Purchase object).
REFUND_AFTER_RELEASE = ObjectAction(
    slug="refund-after-release",
    label=_("Refund after release"),
    form_class=DecisionForm,
    run=lambda admin_, request, purchase, data: purchase_refund_after_release(
        operator=request.user, number=purchase.number, note=data["note"]
    ),
    allowed=lambda purchase: purchase.status == PurchaseStatus.RELEASED,
    done=_("%(object)s refunded to the buyer's wallet; the seller pays it back."),
    intro=DISPUTE_ACTIONS[-1].intro,
    style="danger",
)


@admin.register(Dispute)
class DisputeAdmin(ServiceActionsAdmin):
    list_display = ("filed", "purchase_number", "parties", "price", "status_badge", "answer_due")
    list_filter = ("status", "created_at")
    search_fields = (
        "=purchase__number",
        "=public_id",
        "purchase__buyer__email",
        "purchase__seller__email",
    )
    object_actions = DISPUTE_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "purchase_number",
                    "listing_title",
                    "buyer",
                    "seller",
                    "price",
                    "paid_with",
                    "purchase_status",
                    "filed",
                )
            },
        ),
        (_("Buyer's report"), {"fields": ("note", "screenshot_link")}),
        (_("Seller's answer"), {"fields": ("answer_shown", "answer_due", "answered")}),
        (
            _("Decision"),
            {"fields": ("status_badge", "refund_to", "decided_by", "decided", "decision_note")},
        ),
    )
    readonly_fields = (
        "purchase_number",
        "listing_title",
        "buyer",
        "seller",
        "price",
        "paid_with",
        "purchase_status",
        "filed",
        "screenshot_link",
        "answer_shown",
        "answered",
        "status_badge",
        "decided",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "purchase", "purchase__listing", "purchase__buyer", "purchase__seller", "decided_by"
            )
        )

    def get_ordering(self, request):
        return selectors.QUEUE_ORDER

    def row_label(self, dispute: Dispute) -> str:
        return gettext("Dispute on %(number)s") % {"number": dispute.purchase.number}

    def action_summary(self, dispute: Dispute):
        purchase = dispute.purchase
        return [
            (gettext("Purchase"), purchase.number),
            (gettext("Buyer"), purchase.buyer.email),
            (gettext("Seller"), purchase.seller.email),
            (gettext("Price"), format_inr(purchase.price)),
            (gettext("Paid with"), purchase.get_method_display()),
            (gettext("Buyer's note"), dispute.note),
            (gettext("Screenshot"), self.screenshot_link(dispute)),
            (gettext("Seller's answer"), self.answer_shown(dispute)),
            (gettext("Status"), self.status_badge(dispute)),
        ]

    @admin.display(description=_("filed"), ordering="created_at")
    def filed(self, dispute: Dispute) -> str:
        if not _undecided(dispute):
            return short_time(dispute.created_at)
        waited = gettext("waiting %(time)s") % {"time": waiting_for(dispute.created_at)}
        return two_lines(short_time(dispute.created_at), waited)

    @admin.display(description=_("purchase"), ordering="purchase__number")
    def purchase_number(self, dispute: Dispute) -> str:
        url = reverse("admin:marketplace_purchase_change", args=[dispute.purchase.pk])
        return format_html('<a href="{}">{}</a>', url, dispute.purchase.number)

    @admin.display(description=_("listing"))
    def listing_title(self, dispute: Dispute) -> str:
        return dispute.purchase.listing.title

    @admin.display(description=_("buyer / seller"))
    def parties(self, dispute: Dispute) -> str:
        return two_lines(dispute.purchase.buyer.email, dispute.purchase.seller.email)

    @admin.display(description=_("buyer"))
    def buyer(self, dispute: Dispute) -> str:
        return _user_link(dispute.purchase.buyer)

    @admin.display(description=_("seller"))
    def seller(self, dispute: Dispute) -> str:
        return _user_link(dispute.purchase.seller)

    @admin.display(description=_("price"), ordering="purchase__price")
    def price(self, dispute: Dispute) -> str:
        return format_inr(dispute.purchase.price)

    @admin.display(description=_("paid with"))
    def paid_with(self, dispute: Dispute) -> str:
        return dispute.purchase.get_method_display()

    @admin.display(description=_("purchase status"))
    def purchase_status(self, dispute: Dispute) -> str:
        return dispute.purchase.get_status_display()

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, dispute: Dispute) -> str:
        shown = badge(dispute.get_status_display(), TONES[dispute.status])
        if selectors.seller_did_not_answer(dispute):
            return two_lines(shown, gettext("the seller did not answer"))
        return shown

    @admin.display(description=_("seller's answer"))
    def answer_shown(self, dispute: Dispute) -> str:
        if dispute.answered_at:
            return dispute.answer
        if selectors.seller_did_not_answer(dispute):
            return gettext("The seller did not answer within 24 hours.")
        return gettext("Not answered yet.")

    @admin.display(description=_("answered"))
    def answered(self, dispute: Dispute) -> str:
        return short_time(dispute.answered_at)

    @admin.display(description=_("decided"))
    def decided(self, dispute: Dispute) -> str:
        return short_time(dispute.decided_at)

    @admin.display(description=_("screenshot"))
    def screenshot_link(self, dispute: Dispute) -> str:
        if not dispute.screenshot:
            return "—"
        # Private: the party-and-staff-checked view serves it to operators too.
        url = reverse("marketplace:dispute-screenshot", args=[dispute.public_id])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("screenshot")
        )


def _user_link(user) -> str:
    url = reverse("admin:accounts_user_change", args=[user.pk])
    return format_html('<a href="{}">{}</a>', url, user.email)


@admin.register(SellerDebt)
class SellerDebtAdmin(ReadOnlyAdmin):
    """What sellers owe after refunds after release; recovered from their next payouts."""

    list_display = ("created_at", "seller", "purchase", "amount", "recovered", "outstanding_inr")
    list_select_related = ("seller", "purchase")
    search_fields = ("seller__email", "=purchase__number")

    @admin.display(description=_("outstanding"))
    def outstanding_inr(self, debt: SellerDebt) -> str:
        return format_inr(debt.outstanding)


class SuspensionAddForm(forms.ModelForm):
    """An operator's own suspension (listings.services.suspension_create)."""

    class Meta:
        model = Suspension
        fields = ["user", "until", "reason"]

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return until


@admin.register(Suspension)
class SuspensionAdmin(ServiceActionsAdmin):
    """Sellers barred from listing (3 lost disputes in 30 days, or an operator's own, added
    here); an operator may lift one."""

    add_form = SuspensionAddForm
    raw_id_fields = ("user",)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("marketplace.add_suspension")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "until", "reason"] if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        from ..listings.services import suspension_create

        data = form.cleaned_data
        made = suspension_create(user=data["user"], until=data["until"], reason=data["reason"])
        obj.pk, obj.created_at = made.pk, made.created_at

    list_display = ("user", "reason", "created_at", "until", "lifted_at", "active")
    list_select_related = ("user",)
    list_filter = ("lifted_at",)
    search_fields = ("user__email",)
    object_actions = (
        ObjectAction(
            slug="lift",
            label=_("Lift the suspension"),
            form_class=ConfirmForm,
            run=lambda admin_, request, suspension, data: suspension_lift(
                operator=request.user, suspension_id=suspension.pk
            ),
            allowed=lambda suspension: (
                suspension.lifted_at is None and suspension.until > timezone.now()
            ),
            done=_("%(object)s lifted: the seller may list again."),
            intro=_("The seller may list coupons again from now on."),
        ),
    )

    def row_label(self, suspension: Suspension) -> str:
        return gettext("Suspension of %(user)s") % {"user": suspension.user.email}

    @admin.display(description=_("in force"), boolean=True)
    def active(self, suspension: Suspension) -> bool:
        return suspension.lifted_at is None and suspension.until > timezone.now()
