"""The shopper's wallet pages: /wallet/ (balances, transactions, cashback tracker and claims,
withdrawals, the withdraw form with KYC inline) and /referrals/.

Views are thin: forms read the input, services act and refuse (their DomainErrors become form
errors), selectors read. Every POST answers with a redirect on success, so a refresh never
sends it again; a refused form is shown again with what the shopper typed.
"""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from coupzii.core.errors import DomainError
from coupzii.core.files import private_file_response
from coupzii.core.http import post_form
from coupzii.core.money import format_inr
from coupzii.core.pagination import paginate

from . import selectors
from .arrival import arrivals_attach
from .errors import IdempotencyKeyReused
from .forms import ClaimForm, KycForm, TransactionFilterForm, WithdrawForm
from .models import CashbackStatus, KycStatus
from .services.claims import cashback_claim_file, claimable_clicks
from .services.kyc import kyc_submit
from .services.withdrawals import withdrawal_request

PAGE_SIZE = 20
# The claim form lists this many recent click-outs: older ones are rarely what is missing.
CLAIMABLE_SHOWN = 30
CLAIMS_SHOWN = 20

TABS = {
    "transactions": gettext_lazy("Transactions"),
    "cashback": gettext_lazy("Cashback"),
    "withdrawals": gettext_lazy("Withdrawals"),
    "withdraw": gettext_lazy("Withdraw"),
}
DEFAULT_TAB = "transactions"


def _tab_url(tab: str) -> str:
    return f"{reverse('wallet')}?tab={tab}"


# --- /wallet/ ---------------------------------------------------------------------------------


@login_required
@require_safe
def wallet(request):
    tab = request.GET.get("tab", DEFAULT_TAB)
    return _wallet_page(request, tab if tab in TABS else DEFAULT_TAB)


def _wallet_page(request, tab: str, **forms):
    """The wallet with `tab` open; `forms` are bound forms to show again with their errors."""
    summary = selectors.wallet_summary(request.user)
    context = {
        "tab": tab,
        "tabs": [{"key": key, "label": label, "url": _tab_url(key)} for key, label in TABS.items()],
        "summary": summary,
    }
    builder = {
        "transactions": _transactions_context,
        "cashback": _cashback_context,
        "withdrawals": _withdrawals_context,
        "withdraw": _withdraw_context,
    }[tab]
    context.update(builder(request, summary, **forms))
    return render(request, "wallet/wallet.html", context)


def _transactions_context(request, summary):
    user = request.user
    form = TransactionFilterForm(request.GET)
    filters = form.filters()
    page, page_range = paginate(
        request, selectors.statement_for(user, **filters), per_page=PAGE_SIZE
    )
    return {
        "filter_form": form,
        "filtered": bool(filters),
        "filter_count": len(filters),
        "page": page,
        "page_range": page_range,
        "lines": selectors.statement_lines(user, page),
    }


def _cashback_context(request, summary, claim_form=None):
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in CashbackStatus.values else ""
    page, page_range = paginate(
        request, selectors.cashback_events_for(user, status=status), per_page=PAGE_SIZE
    )
    # Each pending entry's likely range: the estimates of the whole page in one query.
    page.object_list = arrivals_attach(page.object_list)
    if claim_form is None:
        claim_form = ClaimForm(clicks=claimable_clicks(user)[:CLAIMABLE_SHOWN])
    return {
        "status": status,
        "statuses": [("", _("All")), *CashbackStatus.choices],
        "page": page,
        "page_range": page_range,
        "claim_form": claim_form,
        "claims": list(selectors.claims_for(user)[:CLAIMS_SHOWN]),
    }


def _withdrawals_context(request, summary):
    page, page_range = paginate(
        request, selectors.withdrawals_for(request.user), per_page=PAGE_SIZE
    )
    return {"page": page, "page_range": page_range}


def _withdraw_context(request, summary, withdraw_form=None, kyc_form=None):
    kyc = selectors.kyc_for(request.user)
    rules = selectors.withdrawal_settings()
    if withdraw_form is None:
        withdraw_form = WithdrawForm(kyc=kyc, available=summary.available)
    if kyc_form is None:
        kyc_form = KycForm.for_profile(kyc)
    verified = kyc is not None and kyc.status == KycStatus.VERIFIED
    return {
        "kyc": kyc,
        "kyc_verified": verified,
        # The details form is open unless the details are in and not refused (or it was sent
        # with mistakes, which must be seen).
        "kyc_form_open": kyc_form.is_bound
        or kyc is None
        or kyc.status in (KycStatus.UNVERIFIED, KycStatus.REJECTED),
        "kyc_form": kyc_form,
        "withdraw_form": withdraw_form,
        # Until KYC is verified the withdraw form is shown greyed out; a form sent anyway (and
        # refused) stays usable, so what was typed can be sent again later.
        "withdraw_disabled": not verified and not withdraw_form.is_bound,
        "minimum": rules["minimum"],
        "per_day": rules["per_day"],
        "below_minimum": summary.available < rules["minimum"],
    }


def _signed_in_or_login(request, tab: str):
    """POST handlers: a signed-out visitor signs in and comes back to the tab (after sign-in
    the browser GETs the page it is sent to)."""
    if request.user.is_authenticated:
        return None
    return redirect_to_login(_tab_url(tab))


@post_form(lambda request: _tab_url("withdraw"))
def wallet_withdraw(request):
    if refused := _signed_in_or_login(request, "withdraw"):
        return refused
    user = request.user
    summary = selectors.wallet_summary(user)
    kyc = selectors.kyc_for(user)
    form = WithdrawForm(request.POST, kyc=kyc, available=summary.available)
    if form.is_valid():
        data = form.cleaned_data
        try:
            withdrawal = withdrawal_request(
                user=user,
                amount=data["amount"],
                method=data["method"],
                idempotency_key=data["idempotency_key"],
            )
        except IdempotencyKeyReused:
            form.add_error(
                None,
                _(
                    "This form was already sent with other details. Check your withdrawals, "
                    "then send it again if you still want to."
                ),
            )
            form.renew_idempotency_key()
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Withdrawal of %(amount)s requested. We'll pay it to %(to)s, usually within "
                    "2 working days."
                )
                % {"amount": format_inr(withdrawal.amount), "to": withdrawal.destination},
            )
            return redirect(_tab_url("withdrawals"))
    return _wallet_page(request, "withdraw", withdraw_form=form)


@post_form(lambda request: _tab_url("withdraw"))
def wallet_kyc(request):
    if refused := _signed_in_or_login(request, "withdraw"):
        return refused
    form = KycForm(request.POST)
    if form.is_valid():
        try:
            profile = kyc_submit(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if profile.status == KycStatus.VERIFIED:
                messages.info(request, _("Your payout details are unchanged."))
            else:
                messages.success(
                    request,
                    _(
                        "Thanks. We're checking your details, usually within a working day, "
                        "and will let you know."
                    ),
                )
            return redirect(_tab_url("withdraw"))
    return _wallet_page(request, "withdraw", kyc_form=form)


@post_form(lambda request: f"{_tab_url('cashback')}#missing")
def wallet_claim(request):
    if refused := _signed_in_or_login(request, "cashback"):
        return refused
    user = request.user
    form = ClaimForm(request.POST, request.FILES, clicks=claimable_clicks(user)[:CLAIMABLE_SHOWN])
    if form.is_valid():
        data = form.cleaned_data
        try:
            claim = cashback_claim_file(
                user=user,
                click_id=data["click"],
                order_id=data["order_id"],
                amount=data["amount"],
                order_date=data["order_date"],
                receipt=data["receipt"] or None,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Claim for order %(order)s sent. We'll ask the store and let you know, "
                    "usually within 2 weeks."
                )
                % {"order": claim.order_id},
            )
            return redirect(f"{_tab_url('cashback')}#claims")
    return _wallet_page(request, "cashback", claim_form=form)


@require_safe
def wallet_claim_receipt(request, claim_id):
    """A claim's receipt, for the shopper who filed it and for operators reviewing it (the
    admin links here); 404 for anyone else, signed out included."""
    claim = selectors.claim_receipt(claim_id)
    if claim is None:
        raise Http404
    return private_file_response(
        user=request.user,
        file=claim.receipt,
        owner_id=claim.user_id,
        permission=selectors.RECEIPT_PERMISSION,
    )


# --- /referrals/ ------------------------------------------------------------------------------


@login_required
@require_safe
def referrals(request):
    user = request.user
    page = Paginator(selectors.referred_friends(user), PAGE_SIZE).get_page(request.GET.get("page"))
    friends = [
        {
            "name": _friend_name(friend),
            "joined": friend.date_joined,
            "state": selectors.friend_state(friend),
            "reward": getattr(friend, "referral_reward", None),
        }
        for friend in page
    ]
    month, leaders, rank = selectors.referral_leaderboard(viewer=user)
    share_link = _share_link(request, user)
    referral_bonus = format_inr(settings.WALLET_REFERRAL_BONUS)
    welcome_bonus = format_inr(settings.WALLET_WELCOME_BONUS)
    share_text = _(
        "I save on my online shopping with Coupzii: verified coupon codes and cashback. Sign up "
        "with my code %(code)s and get %(bonus)s extra on your first cashback: %(link)s"
    ) % {"code": user.referral_code, "bonus": welcome_bonus, "link": share_link}
    context = {
        "share_link": share_link,
        "whatsapp_url": f"https://wa.me/?{urlencode({'text': share_text})}",
        "referral_bonus": referral_bonus,
        "welcome_bonus": welcome_bonus,
        "earnings": selectors.referral_earnings(user),
        "page": page,
        "friends": friends,
        "month": _first_day(month),
        "leaders": leaders,
        "rank": rank,
        "you_on_board": any(row.is_you for row in leaders),
    }
    return render(request, "wallet/referrals.html", context)


def _share_link(request, user) -> str:
    # The address the shopper is on (behind the proxy: its Host), not a configured default
    # that may name another port or host.
    return request.build_absolute_uri(
        f"{reverse('account_signup')}?{urlencode({'ref': user.referral_code})}"
    )


def _first_day(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


# --- /referrals/leaderboard/ ------------------------------------------------------------------


@require_safe
def referral_leaderboard(request):
    """This month's and last month's top referrers, for anyone (names as each shopper chose);
    a signed-in shopper also sees their own place, or how to get on the board."""
    viewer = request.user if request.user.is_authenticated else None
    boards = []
    for which, title in (("this", _("This month")), ("last", _("Last month"))):
        board = selectors.referral_board(viewer=viewer, month=selectors.leaderboard_month(which))
        boards.append(
            {"key": which, "title": title, "month": _first_day(board.month), "board": board}
        )
    context = {
        "boards": boards,
        "this_month": boards[0]["board"],
        "last_month": boards[1]["board"],
        "referral_bonus": format_inr(settings.WALLET_REFERRAL_BONUS),
        "share_link": _share_link(request, viewer) if viewer else "",
    }
    return render(request, "wallet/leaderboard.html", context)


def _friend_name(friend) -> str:
    """ "Rahul S." or "ra•••@…": enough for the shopper to recognise a friend, without
    showing their email address in full."""
    parts = friend.full_name.split()
    if len(parts) > 1:
        return f"{parts[0]} {parts[-1][0]}."
    if parts:
        return parts[0]
    return f"{friend.email.split('@')[0][:2]}•••"
