"""The ledger in the back office: accounts, transactions and postings, read-only for everyone.

The ledger is written only by `wallet.ledger`; a correction is a new transaction, so the admin
offers no add, change or delete here (not even to superusers).
"""

from django.contrib import admin
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupzii.core.admin import ReadOnlyAdmin, ReadOnlyInline, short_time, two_lines
from coupzii.core.money import format_inr

from ..kinds import USER_ACCOUNT_KINDS, account_kind_label, ledger_kinds, platform_account_kinds
from ..ledger import platform_balance
from ..models import Account, CashbackEvent, Posting, Transaction, Withdrawal

# Which object a transaction's reference names, for a link from the transaction's page.
REFERENCED_MODELS = {"withdrawal": Withdrawal, "cashback_event": CashbackEvent}


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("user", _("Users")), ("platform", _("Platform"))]

    def queryset(self, request, queryset):
        if self.value() == "user":
            return queryset.filter(user__isnull=False)
        if self.value() == "platform":
            return queryset.filter(user__isnull=True)
        return queryset


class _RegistryFilter(admin.SimpleListFilter):
    """A kind filter listing the registered kinds (not a DISTINCT over the ledger's rows)."""

    field = "kind"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class AccountKindFilter(_RegistryFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = [*USER_ACCOUNT_KINDS, *platform_account_kinds()]
        return [(kind, account_kind_label(kind)) for kind in kinds]


class TransactionKindFilter(_RegistryFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(code, str(kind.label)) for code, kind in ledger_kinds().items()]


class PostingAccountKindFilter(AccountKindFilter):
    parameter_name = "account_kind"
    field = "account__kind"


class PostingTransactionKindFilter(TransactionKindFilter):
    parameter_name = "transaction_kind"
    field = "transaction__kind"


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "kind_label", "balance_inr")
    list_filter = (OwnerFilter, AccountKindFilter)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("owner", "kind_label", "balance_inr", "postings_link", "created_at")
    readonly_fields = fields

    @admin.display(description=_("owner"), ordering="user__email")
    def owner(self, account: Account) -> str:
        return account.user.email if account.user_id else gettext("Platform")

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, account: Account) -> str:
        return account.get_kind_display()

    @admin.display(description=_("balance"))
    def balance_inr(self, account: Account) -> str:
        if account.user_id:
            return format_inr(account.balance)
        # A platform account caches nothing: its rollup plus the postings since (a handful
        # of platform accounts, two indexed queries each).
        return format_inr(platform_balance(account.kind))

    @admin.display(description=_("postings"))
    def postings_link(self, account: Account) -> str:
        url = reverse("admin:wallet_posting_changelist")
        return format_html(
            '<a href="{}?account__id__exact={}">{}</a>',
            url,
            account.pk,
            gettext("Every posting to this account"),
        )


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("account", "account_owner", "amount_inr")
    readonly_fields = fields
    verbose_name_plural = _("postings (they sum to zero)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__user")

    @admin.display(description=_("owner"))
    def account_owner(self, posting: Posting) -> str:
        user = posting.account.user
        return user.email if user else gettext("Platform")

    @admin.display(description=_("amount"))
    def amount_inr(self, posting: Posting) -> str:
        return format_inr(posting.amount)


def _credited_total():
    """The transaction's size: the sum of its positive legs (the negative ones mirror it)."""
    credits = (
        Posting.objects.filter(transaction=OuterRef("pk"), amount__gt=0)
        .order_by()
        .values("transaction")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(credits, output_field=DecimalField(max_digits=14, decimal_places=2))


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("when", "kind_label", "amount_inr", "reference", "actor")
    list_filter = (TransactionKindFilter, "created_at")
    list_select_related = ("actor",)
    search_fields = ("=idempotency_key", "=reference_id", "=public_id", "memo")
    # COUNT(*) over the whole ledger on every filtered page is not worth it.
    show_full_result_count = False
    fields = (
        "public_id",
        "kind_label",
        "amount_inr",
        "idempotency_key",
        "reference_link",
        "actor",
        "memo",
        "created_at",
    )
    readonly_fields = fields
    inlines = (PostingInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(credited=_credited_total())

    @admin.display(description=_("amount"), ordering="credited")
    def amount_inr(self, txn: Transaction) -> str:
        return format_inr(txn.credited) if txn.credited is not None else "—"

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, txn: Transaction) -> str:
        return txn.get_kind_display()

    @admin.display(description=_("created"), ordering="created_at")
    def when(self, txn: Transaction) -> str:
        return short_time(txn.created_at)

    @admin.display(description=_("reference"))
    def reference(self, txn: Transaction) -> str:
        return two_lines(f"{txn.reference_type} · {txn.reference_id}", txn.idempotency_key)

    @admin.display(description=_("reference"))
    def reference_link(self, txn: Transaction) -> str:
        model = REFERENCED_MODELS.get(txn.reference_type)
        pk = None
        if model is not None:
            pk = model.objects.filter(public_id=txn.reference_id).values_list("pk", flat=True)
            pk = pk.first()
        if pk is None:
            return f"{txn.reference_type} · {txn.reference_id}"
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
        return format_html(
            '<a href="{}">{} · {}</a>', url, opts.verbose_name.capitalize(), txn.reference_id
        )


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "transaction_link", "account", "account_owner", "amount_inr")
    list_filter = (PostingAccountKindFilter, PostingTransactionKindFilter)
    list_select_related = ("transaction", "account__user")
    search_fields = ("=transaction__idempotency_key", "account__user__email")
    show_full_result_count = False
    fields = ("transaction_link", "account", "account_owner", "amount_inr")
    readonly_fields = fields

    @admin.display(description=_("transaction"))
    def transaction_link(self, posting: Posting) -> str:
        url = reverse("admin:wallet_transaction_change", args=[posting.transaction_id])
        return format_html('<a href="{}">{}</a>', url, posting.transaction)

    @admin.display(description=_("owner"))
    def account_owner(self, posting: Posting) -> str:
        user = posting.account.user
        return user.email if user else gettext("Platform")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_inr(self, posting: Posting) -> str:
        return format_inr(posting.amount)


def ledger_links(reference_type: str, reference_id) -> str:
    """The ledger transactions an object caused, each linked, for its admin page."""
    txns = Transaction.objects.filter(
        reference_type=reference_type, reference_id=str(reference_id)
    ).order_by("id")
    rows = [
        (
            reverse("admin:wallet_transaction_change", args=[txn.pk]),
            txn.get_kind_display(),
            short_time(txn.created_at),
        )
        for txn in txns
    ]
    if not rows:
        return gettext("No money has moved yet.")
    return format_html(
        "<ul style='margin:0;padding-left:1em'>{}</ul>",
        format_html_join("", '<li><a href="{}">{}</a> · {}</li>', rows),
    )
