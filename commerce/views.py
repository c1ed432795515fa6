"""Shop pages: gift cards, the cart, checkout (with the dev gateway's pay page), orders.

Views are thin: forms read the input, the cart/checkout/payment services act and refuse
(their DomainErrors become form errors or messages), selectors read. Every POST that changes
something answers with a redirect, so a refresh never sends it again.

Payment follows Razorpay's redirect flow: the pay page opens Razorpay Checkout (or, without
keys, our dev gateway page), and the gateway posts the outcome to the callback URL, signed.
The callback is the only page here that trusts no session: the signature is the proof.
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog import selectors as catalog_selectors
from catalog.models import Product
from coupzii.core.errors import DomainError
from coupzii.core.http import post_form
from coupzii.core.money import ZERO, format_inr, from_paise
from coupzii.core.pagination import paginate
from coupzii.core.security import allow_on_response

from . import selectors, tasks
from . import session as shop_session
from .errors import CartEmpty, CartInvalid, IdempotencyKeyReused, OutOfStock, PaymentInvalid
from .forms import (
    AddToCartForm,
    CartLineForm,
    CartLineRemoveForm,
    CheckoutForm,
    GiftCardFilterForm,
    PromoForm,
    WalletToggleForm,
)
from .gateways import gateway
from .models import Order, OrderStatus, Payment, PaymentStatus
from .payables import payable_handler
from .services import cart as cart_services
from .services.checkout import order_place
from .services.payments import payment_report_failure, payment_verify

GIFT_CARDS_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20
# "Only 3 left" from this many down; above it the page just says the card is in stock.
LOW_STOCK = 5
# Orders whose delivered codes are shown: paid ones too, for lines delivered before the rest
# ran short. Refunded lines' codes are void, and codes_by_line leaves them out.
CODES_SHOWN_FOR = {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED}
PAYMENT_OUTCOMES = {"paid", "failed", "unverified"}
ORDER_KIND = "order"  # the shop's own payable (services.order_payable.KIND)


def _signed_in_user(request):
    return request.user if request.user.is_authenticated else None


# --- /gift-cards/ ------------------------------------------------------------------------------


@require_safe
def gift_card_list(request):
    categories = list(catalog_selectors.gift_card_categories())
    brands = list(catalog_selectors.gift_card_brands())
    form = GiftCardFilterForm(request.GET, categories=categories, brands=brands)
    filters = form.filters()
    page, page_range = paginate(
        request, catalog_selectors.gift_cards_list(**filters), per_page=GIFT_CARDS_PAGE_SIZE
    )
    for product in page:
        _card_facts(product)
    by_slug = {c.slug: c for c in categories} | {f"brand:{b.slug}": b for b in brands}
    return render(
        request,
        "commerce/gift_card_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "categories": categories,
            "q": filters["q"],
            "category": by_slug.get(filters["category_slug"]),
            "brand": by_slug.get(f"brand:{filters['brand_slug']}"),
            "filtered": any(filters.values()),
        },
    )


def _card_facts(product: Product) -> Product:
    """What a card tile and the product page show, from what gift_cards_list prefetched (no
    query): the cover image, the price range, whether any amount is in stock, the best saving."""
    variants = product.sellable_variants
    images = list(product.images.all())
    product.cover = images[0] if images else None
    product.more_images = images[1:]
    product.lowest_price = min((v.price for v in variants), default=None)
    product.face_values = [v.face_value for v in variants]
    product.in_stock = any(v.stock > 0 for v in variants)
    for variant in variants:
        variant.saving_pct = int(variant.saving * 100 / variant.face_value)
    pct = product.best_saving_pct
    # Rounded down: "save up to 3%" must never promise more than the best amount gives.
    product.saving_pct = int(pct) if pct is not None and pct >= 1 else 0
    return product


# --- /gift-cards/<slug>/ -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def gift_card_detail(request, slug: str):
    try:
        product = _card_facts(catalog_selectors.gift_card_by_slug(slug))
    except Product.DoesNotExist:
        raise Http404(_("No such gift card.")) from None
    variants = product.sellable_variants
    if request.method == "POST":
        form = AddToCartForm(request.POST, variants=variants)
        if form.is_valid():
            cart = shop_session.cart_of_request(request)
            sku, quantity = form.cleaned_data["sku"], form.cleaned_data["quantity"]
            try:
                cart_services.cart_line_set(cart=cart, sku=sku, quantity=quantity, add=True)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                shop_session.cart_count_remember(request, cart)
                variant = form.variants[sku]
                messages.success(
                    request,
                    _("Added to your cart: %(name)s %(amount)s, quantity %(quantity)d.")
                    % {
                        "quantity": quantity,
                        "name": product.name,
                        "amount": format_inr(variant.face_value),
                    },
                )
                return redirect("commerce:cart")
    else:
        form = AddToCartForm(variants=variants)
    selected = form.variants.get(form.selected_sku)
    return render(
        request,
        "commerce/gift_card_detail.html",
        {
            "product": product,
            "variants": variants,
            "form": form,
            "selected": selected,
            "low_stock": LOW_STOCK,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- /cart/ ------------------------------------------------------------------------------------


@require_safe
def cart(request):
    return _cart_page(request)


def _cart_page(request, *, promo_form: PromoForm | None = None):
    cart = shop_session.cart_of_request(request, create=False)
    priced = selectors.cart_priced(cart, user=_signed_in_user(request))
    if request.session.get(shop_session.COUNT_KEY, 0) != priced.item_count:
        shop_session.cart_count_remember(request, cart)  # heal a stale badge
    rows = [
        {
            "row": row,
            "image": next(iter(row.product.images.all()), None),
            "problem": row.problem,
            "can_add": row.line.quantity < min(row.variant.max_quantity, row.stock),
            # Below the least per order the minus button removes the line instead.
            "minus_removes": row.line.quantity - 1 < max(row.variant.min_quantity, 1),
            "saving": row.saving,
        }
        for row in priced.rows
    ]
    other_problems = [
        message
        for key, messages_ in priced.problems.items()
        if not key.startswith("lines.") and key != "promo_code"
        for message in messages_
    ]
    login_url = reverse("account_login")
    after_login = urlencode({"next": reverse("commerce:checkout")})
    return render(
        request,
        "commerce/cart.html",
        {
            "priced": priced,
            "rows": rows,
            "promo_form": promo_form or PromoForm(),
            "other_problems": other_problems,
            "checkout_login_url": f"{login_url}?{after_login}",
            "savings": priced.savings,
        },
        status=400 if promo_form is not None and promo_form.errors else 200,
    )


def _cart_url(request) -> str:
    return reverse("commerce:cart")


def _promo_url(request) -> str:
    return f"{reverse('commerce:cart')}#promo"


def _summary_url(request) -> str:
    return f"{reverse('commerce:cart')}#summary"


def _back_to_cart(request, cart):
    shop_session.cart_count_remember(request, cart)
    return redirect("commerce:cart")


@post_form(_cart_url)
def cart_line(request):
    """Set a line's quantity: the minus and plus buttons and the quantity box all send here."""
    form = CartLineForm(request.POST)
    cart = shop_session.cart_of_request(request, create=False)
    if cart is None:
        return redirect("commerce:cart")
    if not form.is_valid():
        messages.error(request, _("Choose a quantity between 0 and 99."))
        return redirect("commerce:cart")
    sku, quantity = form.cleaned_data["sku"], form.cleaned_data["quantity"]
    if quantity == 0:
        cart_services.cart_line_remove(cart=cart, sku=sku)
        messages.info(request, _("Removed from your cart."))
        return _back_to_cart(request, cart)
    try:
        cart_services.cart_line_set(cart=cart, sku=sku, quantity=quantity)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back_to_cart(request, cart)


@post_form(_cart_url)
def cart_line_remove(request):
    form = CartLineRemoveForm(request.POST)
    cart = shop_session.cart_of_request(request, create=False)
    if cart is not None and form.is_valid():
        cart_services.cart_line_remove(cart=cart, sku=form.cleaned_data["sku"])
        messages.info(request, _("Removed from your cart."))
        return _back_to_cart(request, cart)
    return redirect("commerce:cart")


@post_form(_promo_url)
def cart_promo(request):
    form = PromoForm(request.POST)
    if form.is_valid():
        cart = shop_session.cart_of_request(request)
        try:
            promo = cart_services.cart_promo_apply(
                cart=cart, code=form.cleaned_data["code"], user=_signed_in_user(request)
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Promo code %(code)s applied.") % {"code": promo.code})
            return redirect(f"{reverse('commerce:cart')}#promo")
    return _cart_page(request, promo_form=form)


@post_form(_promo_url)
def cart_promo_remove(request):
    cart = shop_session.cart_of_request(request, create=False)
    if cart is not None and cart.promo_code_id:
        cart_services.cart_promo_remove(cart=cart)
        messages.info(request, _("Promo code removed."))
    return redirect(f"{reverse('commerce:cart')}#promo")


@post_form(_summary_url)
def cart_wallet(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("commerce:cart"))
    form = WalletToggleForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    cart = cart_services.cart_of_user(request.user)
    cart_services.cart_use_wallet(cart=cart, use=form.cleaned_data.get("use", False))
    return redirect(f"{reverse('commerce:cart')}#summary")


# --- /checkout/ --------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request):
    user = request.user
    if request.method == "POST":
        form = CheckoutForm(request.POST, user=user)
        if form.is_valid():
            return _place_order(request, form)
    else:
        form = CheckoutForm(user=user)
    cart = cart_services.cart_of_user(user, create=False)
    priced = selectors.cart_priced(cart, user=user)
    if priced.is_empty:
        messages.info(request, _("Your cart is empty. Add a gift card to check out."))
        return redirect("commerce:cart")
    if not priced.can_check_out and not form.is_bound:
        messages.error(request, _("Some items in your cart need attention before you pay."))
        return redirect("commerce:cart")
    return render(
        request,
        "commerce/checkout.html",
        _checkout_context(form, priced),
        status=400 if form.is_bound else 200,
    )


def _checkout_context(form: CheckoutForm, priced) -> dict:
    return {
        "form": form,
        "priced": priced,
        "savings": priced.savings,
        "payment_window": settings.COMMERCE_PAYMENT_WINDOW_MINUTES,
    }


def _place_order(request, form: CheckoutForm):
    user = request.user
    cart = cart_services.cart_of_user(user)
    data = form.cleaned_data
    try:
        order = order_place(
            user=user,
            cart=cart,
            email=data["email"],
            phone=data["phone"],
            idempotency_key=data["idempotency_key"],
        )
    except CartEmpty:
        messages.info(request, _("Your cart is empty. Add a gift card to check out."))
        return _back_to_cart(request, cart)
    except (CartInvalid, OutOfStock) as exc:
        # The cart shows each line's problem again, priced afresh.
        messages.error(request, exc.message)
        for message in {m for field in exc.fields.values() for m in field}:
            messages.error(request, message)
        return _back_to_cart(request, cart)
    except IdempotencyKeyReused:
        form.add_error(
            None,
            _("Your cart changed since this page was opened. Check the summary and pay again."),
        )
        form.renew_idempotency_key()
    except DomainError as exc:
        form.add_domain_error(exc)
    else:
        shop_session.cart_count_remember(request, cart)
        if order.status == OrderStatus.PENDING_PAYMENT:
            return redirect("commerce:pay", number=order.number)
        if order.status == OrderStatus.FULFILLED:
            messages.success(request, _("Paid from your wallet. Your gift cards are ready below."))
        else:
            messages.success(request, _("Paid. We'll have your codes shortly."))
        return redirect("commerce:order", number=order.number)
    priced = selectors.cart_priced(cart, user=user)
    if priced.is_empty:
        return redirect("commerce:cart")
    return render(
        request,
        "commerce/checkout.html",
        _checkout_context(form, priced),
        status=400,
    )


# --- /checkout/pay/<number>/ -------------------------------------------------------------------

# What Razorpay Checkout needs beyond our own origin, on the pay page only: checkout.js (from
# checkout.razorpay.com) loads more of itself, opens its payment frame on api.razorpay.com,
# calls the API and its event log and shows images, all from Razorpay's own subdomains.
RAZORPAY_SOURCES = ["https://*.razorpay.com"]
RAZORPAY_CHECKOUT_CSP = {
    "script-src": RAZORPAY_SOURCES,
    "frame-src": RAZORPAY_SOURCES,
    "connect-src": RAZORPAY_SOURCES,
    "img-src": RAZORPAY_SOURCES,
}


@login_required
@never_cache
@require_safe
def pay(request, number: str):
    order = _own_order(request, number)
    payment = _open_payment(order)
    if order.status != OrderStatus.PENDING_PAYMENT or payment is None:
        return redirect("commerce:order", number=order.number)
    provider = gateway()
    context = {
        "order": order,
        "payment": payment,
        "amount": order.gateway_amount,
        "expired": order.pay_by <= timezone.now(),
        "is_dev": provider.is_dev,
    }
    if not provider.is_dev:
        callback = reverse("commerce:payment-callback", args=[order.number])
        context["razorpay_options"] = {
            "key": provider.key_id,
            "amount": payment.amount_paise,
            "currency": "INR",
            "order_id": payment.gateway_order_id,
            "name": "Coupzii",
            "description": _("Gift cards, order %(number)s") % {"number": order.number},
            "prefill": {"email": order.email, "contact": order.phone},
            "callback_url": request.build_absolute_uri(callback),
            "redirect": True,
            # A failed attempt fails the order (and a later capture is refunded), so the
            # shopper starts a fresh order rather than retrying inside Checkout.
            "retry": {"enabled": False},
            "theme": {"color": "#0f766e"},
        }
    response = render(request, "commerce/pay.html", context)
    if not provider.is_dev:
        allow_on_response(response, RAZORPAY_CHECKOUT_CSP)
    return response


def _own_order(request, number: str) -> Order:
    """The signed-in user's order, or 404: another user's order is not found, not refused,
    so order numbers can't be probed."""
    order = selectors.order_of(request.user, number)
    if order is None:
        raise Http404(_("No such order of yours."))
    return order


def _open_payment(order: Order):
    return next((p for p in order.payments.all() if p.status == PaymentStatus.CREATED), None)


# --- /checkout/dev-gateway/<gateway_order_id>/ -------------------------------------------------


@require_POST
@never_cache
def dev_gateway_pay(request, gateway_order_id: str):
    """The dev gateway's "Pay" and "Fail" buttons: make the payment as Razorpay would, send
    its webhook after commit, and post the signed result to the callback from the browser,
    exactly as Razorpay Checkout does."""
    provider = gateway()
    if not provider.is_dev:
        raise Http404()
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("commerce:orders"))
    if "order" not in request.POST:
        return _dev_gateway_pay_payable(request, provider, gateway_order_id)
    order = _own_order(request, request.POST.get("order", ""))
    payment = next(
        (p for p in order.payments.all() if p.gateway_order_id == gateway_order_id), None
    )
    if payment is None:
        raise Http404()
    if order.status != OrderStatus.PENDING_PAYMENT or payment.status != PaymentStatus.CREATED:
        messages.info(request, _("This order is no longer waiting for payment."))
        return redirect("commerce:order", number=order.number)
    succeed = request.POST.get("outcome") == "pay"
    result = _dev_pay(provider, gateway_order_id, succeed=succeed)
    return render(
        request,
        "commerce/dev_gateway_return.html",
        {"order": order, "fields": sorted(result.callback.items()), "succeed": succeed},
    )


# --- /checkout/callback/<number>/ --------------------------------------------------------------


@csrf_exempt  # Razorpay posts it from its own page; the payment signature is the proof
@require_POST
def payment_callback(request, number: str):
    """Where Razorpay Checkout (or the dev gateway page) sends the shopper after paying. The
    session cookie may be missing (a cross-site POST), so the order is found by its number and
    acted on for its owner only through signed data; the answer is always a redirect to the
    order page, which requires sign-in."""
    # By number alone, no user: the services below check the gateway order belongs to it.
    order = selectors.order_for_gateway_callback(number)
    if order is None:
        raise Http404()
    post = request.POST
    own_gateway_orders = {p.gateway_order_id for p in order.payments.all()}
    outcome = "unverified"
    try:
        if post.get("razorpay_payment_id") and post.get("razorpay_signature"):
            gateway_order_id = post.get("razorpay_order_id", "")
            if gateway_order_id not in own_gateway_orders:
                raise PaymentInvalid()
            payment_verify(
                user=order.user,
                gateway_order_id=gateway_order_id,
                payment_id=post["razorpay_payment_id"],
                signature=post["razorpay_signature"],
            )
            outcome = "paid"
            messages.success(request, _("Payment received. Thank you!"))
        elif post.get("error[metadata]"):
            metadata = _failure_metadata(post["error[metadata]"])
            gateway_order_id = metadata.get("order_id", "")
            if gateway_order_id not in own_gateway_orders:
                raise PaymentInvalid()
            payment_report_failure(
                user=order.user,
                gateway_order_id=gateway_order_id,
                payment_id=metadata.get("payment_id", ""),
            )
            outcome = "failed"
    except DomainError:  # PaymentInvalid, OrderNotFound, GatewayUnavailable, ...
        messages.error(request, _("We couldn't confirm this payment."))
    url = f"{reverse('commerce:order', args=[order.number])}?{urlencode({'payment': outcome})}"
    response = HttpResponseRedirect(url)
    response.status_code = 303  # See Other: the browser follows with a GET
    return response


# --- Any other payable: /checkout/payments/<gateway_order_id>/ ---------------------------------
# The same pay page, dev gateway and callback for a payable of another app (a marketplace
# purchase), found by its gateway order; the handler names it and says where the payer returns.


def _own_payable(request, gateway_order_id: str):
    """(payment, handler, payable) of the signed-in user's gateway order, or 404. Shop orders
    are left to their own pages."""
    payment = (
        Payment.objects.filter(gateway_order_id=gateway_order_id, user=request.user)
        .exclude(payable_kind=ORDER_KIND)
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise Http404()
    handler = payable_handler(payment.payable_kind)
    payable = handler.get(payment.payable_ref)
    if not handler.return_url(payable):
        raise Http404()
    return payment, handler, payable


@login_required
@never_cache
@require_safe
def payable_pay(request, gateway_order_id: str):
    payment, handler, payable = _own_payable(request, gateway_order_id)
    back_url = handler.return_url(payable)
    if payment.status != PaymentStatus.CREATED or not handler.awaiting_payment(payable):
        return redirect(back_url)
    provider = gateway()
    deadline = handler.deadline(payable)
    title = handler.title(payable)
    context = {
        "payment": payment,
        "payable_title": title,
        "amount": from_paise(payment.amount_paise),
        "deadline": deadline,
        "expired": deadline is not None and deadline <= timezone.now(),
        "is_dev": provider.is_dev,
        "back_url": back_url,
        "payer_email": request.user.email,
    }
    if not provider.is_dev:
        callback = reverse("commerce:payable-callback", args=[payment.gateway_order_id])
        context["razorpay_options"] = {
            "key": provider.key_id,
            "amount": payment.amount_paise,
            "currency": payment.currency,
            "order_id": payment.gateway_order_id,
            "name": "Coupzii",
            "description": title,
            "prefill": {"email": request.user.email},
            "callback_url": request.build_absolute_uri(callback),
            "redirect": True,
            "retry": {"enabled": False},
            "theme": {"color": "#0f766e"},
        }
    response = render(request, "commerce/pay.html", context)
    if not provider.is_dev:
        allow_on_response(response, RAZORPAY_CHECKOUT_CSP)
    return response


def _dev_pay(provider, gateway_order_id: str, *, succeed: bool):
    """Make the dev gateway's payment and send its webhook after commit, as Razorpay would."""
    with transaction.atomic():
        result = provider.pay(gateway_order_id=gateway_order_id, succeed=succeed)
        transaction.on_commit(
            lambda: tasks.deliver_dev_webhook.delay(
                body=result.webhook_body.decode(),
                signature=result.webhook_signature,
                event_id=result.webhook_event_id,
            )
        )
    return result


def _dev_gateway_pay_payable(request, provider, gateway_order_id: str):
    payment, handler, payable = _own_payable(request, gateway_order_id)
    if payment.status != PaymentStatus.CREATED or not handler.awaiting_payment(payable):
        messages.info(request, _("This is no longer waiting for payment."))
        return redirect(handler.return_url(payable))
    succeed = request.POST.get("outcome") == "pay"
    result = _dev_pay(provider, gateway_order_id, succeed=succeed)
    return render(
        request,
        "commerce/dev_gateway_return.html",
        {
            "fields": sorted(result.callback.items()),
            "succeed": succeed,
            "callback_url": reverse("commerce:payable-callback", args=[gateway_order_id]),
        },
    )


@csrf_exempt  # Razorpay posts it from its own page; the payment signature is the proof
@require_POST
def payable_callback(request, gateway_order_id: str):
    """As `payment_callback`, for a payable found by its gateway order: acted on for its payer
    only through signed data, and always answered with a redirect to the payer's page."""
    payment = (
        Payment.objects.filter(gateway_order_id=gateway_order_id)
        .exclude(payable_kind=ORDER_KIND)
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise Http404()
    handler = payable_handler(payment.payable_kind)
    payable = handler.get(payment.payable_ref)
    post = request.POST
    outcome = "unverified"
    try:
        if post.get("razorpay_payment_id") and post.get("razorpay_signature"):
            if post.get("razorpay_order_id", "") != gateway_order_id:
                raise PaymentInvalid()
            payment_verify(
                user=payment.user,
                gateway_order_id=gateway_order_id,
                payment_id=post["razorpay_payment_id"],
                signature=post["razorpay_signature"],
            )
            outcome = "paid"
            messages.success(request, _("Payment received. Thank you!"))
        elif post.get("error[metadata]"):
            metadata = _failure_metadata(post["error[metadata]"])
            if metadata.get("order_id", "") != gateway_order_id:
                raise PaymentInvalid()
            payment_report_failure(
                user=payment.user,
                gateway_order_id=gateway_order_id,
                payment_id=metadata.get("payment_id", ""),
            )
            outcome = "failed"
    except DomainError:
        messages.error(request, _("We couldn't confirm this payment."))
    url = f"{handler.return_url(payable)}?{urlencode({'payment': outcome})}"
    response = HttpResponseRedirect(url)
    response.status_code = 303  # See Other: the browser follows with a GET
    return response


def _failure_metadata(text: str) -> dict[str, str]:
    try:
        metadata = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(metadata, dict):
        return {}
    return {key: str(metadata.get(key) or "") for key in ("order_id", "payment_id")}


# --- /orders/ ----------------------------------------------------------------------------------


@login_required
@require_safe
def order_list(request):
    page, page_range = paginate(
        request, selectors.orders_of(request.user), per_page=ORDERS_PAGE_SIZE
    )
    return render(request, "commerce/order_list.html", {"page": page, "page_range": page_range})


@login_required
@never_cache  # the page shows voucher codes: no cache, shared or private, may keep it
@require_safe
def order_detail(request, number: str):
    order = _own_order(request, number)
    codes = selectors.codes_by_line(order) if order.status in CODES_SHOWN_FOR else {}
    lines = [
        {
            "line": line,
            "product": line.variant.product,
            "image": next(iter(line.variant.product.images.all()), None),
            "codes": codes.get(line.pk, []),
            "refunded": line.refund_id is not None,
        }
        for line in order.lines.all()
    ]
    outcome = request.GET.get("payment", "")
    paid_online = order.gateway_amount if order.paid_at else ZERO
    return render(
        request,
        "commerce/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "events": list(order.events.all()),
            "refunds": list(order.refunds.all()),
            "payment_outcome": outcome if outcome in PAYMENT_OUTCOMES else "",
            "paid_online": paid_online,
            "pending": order.status == OrderStatus.PENDING_PAYMENT,
            "expired": order.pay_by <= timezone.now(),
            "waiting_for_codes": order.status == OrderStatus.PAID,
            "any_codes": any(line["codes"] for line in lines),
            "can_retry": order.status in cart_services.RETRYABLE_STATUSES,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def order_retry(request, number: str):
    """ "Try again" on an order that failed or was cancelled: its cards go back in the cart,
    and the shopper checks out from there. A GET (a refresh, a language switch) shows the
    order, where the button is."""
    order = _own_order(request, number)
    if request.method != "POST":
        return redirect("commerce:order", number=order.number)
    try:
        left_out = cart_services.cart_refill_from_order(user=request.user, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("commerce:order", number=order.number)
    messages.success(
        request,
        _("The gift cards from order %(number)s are back in your cart.") % {"number": order.number},
    )
    if left_out:
        messages.warning(
            request,
            _("No longer on sale, so left out: %(cards)s.") % {"cards": ", ".join(left_out)},
        )
    return _back_to_cart(request, cart_services.cart_of_user(request.user))
