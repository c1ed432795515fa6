"""The assistant's pages under /assistant/: the chat with the shopper's conversations beside
it, one conversation, asking (a plain form post that answers with a redirect, or the streamed
answer assistant.js reads), renaming and deleting a conversation.

Every page works without JavaScript: a question posted to `send` runs the whole turn and
redirects to the conversation, where the answer and its cards are rendered.
"""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Merchant
from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from . import selectors, services
from .chat import chat_reply
from .errors import MessageLimitReached
from .forms import ChatForm, RenameForm
from .models import Role
from .tools.cards import claims_checked
from .turns import reply_gather, sse_response

CONVERSATIONS_PER_PAGE = 10
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")

# The questions the empty chat offers; each is one tap away from an answer.
EXAMPLES = (
    gettext_lazy("Find ZARA coupons"),
    gettext_lazy("Best way to buy a ₹2,500 cart on Myntra"),
    gettext_lazy("Where is my cashback from Flipkart?"),
    gettext_lazy("Which of my coupons expire this week?"),
    gettext_lazy("Sell my Swiggy coupon"),
)


# --- Helpers -----------------------------------------------------------------------------------


def _newest_first(conversations):
    # The message count's GROUP BY drops Meta.ordering, and pages need a fixed order.
    return conversations.order_by("-updated_at", "-id")


def _conversation(request, public_id):
    conversation = selectors.conversation_of(request.user, public_id)
    if conversation is None:
        raise Http404(_("No such conversation."))
    return conversation


def _back_url(request) -> str:
    """The page the shopper came from (`from`), when it is a page of this site."""
    url = (request.POST.get("from") or request.GET.get("from") or "").strip()
    if not url.startswith("/") or url.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return ""
    return url


def _conversation_url(public_id, *, back: str = "", store: str = "") -> str:
    """The conversation's page, keeping where the shopper came from and the store asked
    about, so the next question has them too."""
    url = reverse("assistant:conversation", kwargs={"public_id": public_id})
    query = {name: value for name, value in (("store", store), ("from", back)) if value}
    return f"{url}?{urlencode(query)}" if query else url


def _safe_url(url) -> str:
    # Cards are built by our tools, but they are shown as links: only site paths and http(s).
    url = str(url or "")
    if url.startswith("/") and not url.startswith("//"):
        return url
    return url if url.startswith(("https://", "http://")) else ""


def card_for_page(card: dict) -> dict:
    """A card dict (see assistant.tools) ready for templates/assistant/_card.html: links checked,
    an action's hidden fields as pairs (a field called `items` would otherwise shadow
    dict.items in the template)."""
    actions = []
    for action in card.get("actions") or []:
        url = _safe_url(action.get("url"))
        if not url:
            continue
        actions.append(
            {
                "label": action.get("label", ""),
                "method": "post" if action.get("method") == "post" else "get",
                "url": url,
                "fields": [(str(k), str(v)) for k, v in (action.get("fields") or {}).items()],
            }
        )
    return {
        "type": card.get("type", ""),
        "title": card.get("title", ""),
        "subtitle": card.get("subtitle", ""),
        "image": _safe_url(card.get("image")),
        "facts": [(fact[0], fact[1]) for fact in card.get("facts") or [] if len(fact) == 2],
        "url": _safe_url(card.get("url")),
        "actions": actions,
    }


def _store_name(slug: str) -> str:
    """The name of the store the shopper is asking about, shown above the box."""
    if not slug or not _SLUG.fullmatch(slug):
        return ""
    names = Merchant.objects.filter(slug=slug, is_active=True).values_list("name", flat=True)
    return next(iter(names), "")


def _messages_for_page(conversation, *, user) -> list:
    rows = list(selectors.messages_of(conversation)) if conversation else []
    # A stored card's "Claim code" the shopper has since used up (they hold the most codes
    # of that offer) shows what is true now: their code, in My codes. One query for the page.
    claims_checked([card for row in rows for card in row.cards], user=user)
    for row in rows:
        row.page_cards = [card_for_page(card) for card in row.cards]
        row.latest = False
    # `#latest` (where a question sent without JavaScript lands) is the last question, so the
    # shopper sees it with the start of its answer below, not the answer's middle.
    questions = [row for row in rows if row.role == Role.USER]
    if questions or rows:
        (questions or rows)[-1].latest = True
    return rows


def _chat_page(request, *, conversation=None, form=None, status=200):
    back = _back_url(request)
    if form is None:
        store = request.GET.get("store", "")
        form = ChatForm(
            initial={
                "message": request.GET.get("q", "")[: settings.ASSISTANT_MESSAGE_MAX_CHARS],
                "conversation": conversation.public_id if conversation else None,
                # Only a slug: the page never echoes anything else into a field.
                "store": store if _SLUG.fullmatch(store) else "",
            }
        )
    store_name = _store_name(form["store"].value() or "")
    page, page_range = paginate(
        request,
        _newest_first(selectors.conversations_of(request.user)),
        per_page=CONVERSATIONS_PER_PAGE,
    )
    return render(
        request,
        "assistant/chat.html",
        {
            "conversation": conversation,
            "chat_messages": _messages_for_page(conversation, user=request.user),
            "form": form,
            "examples": EXAMPLES,
            "back_url": back,
            "store_name": store_name,
            "page": page,
            "page_range": page_range,
            "voice_max_seconds": settings.ASSISTANT_VOICE_MAX_SECONDS,
        },
        status=status,
    )


# --- Pages -------------------------------------------------------------------------------------


@login_required
@require_safe
def chat(request):
    """A new conversation: examples, the box, and the shopper's conversations."""
    return _chat_page(request)


@login_required
@require_safe
def conversation_detail(request, public_id):
    return _chat_page(request, conversation=_conversation(request, public_id))


@login_required
@require_POST
def send(request):
    """The question without JavaScript: the whole turn runs, then the conversation is shown.
    A refusal (the daily limit) is an error on the box, with the question kept."""
    form = ChatForm(request.POST)
    valid = form.is_valid()
    conversation = None
    status = 400
    if form.cleaned_data.get("conversation"):
        # Also for an empty question: the page shows the conversation it was asked in.
        conversation = _conversation(request, form.cleaned_data["conversation"])
    if valid:
        answer = reply_gather(
            chat_reply(
                user=request.user,
                message=form.cleaned_data["message"],
                conversation=conversation,
                context=form.turn_context(),
            )
        )
        if answer["error"] is None:
            url = _conversation_url(
                answer["conversation"],
                back=_back_url(request),
                store=form.cleaned_data["store"],
            )
            return redirect(f"{url}#latest")
        form.add_error("message", answer["error"]["message"])
        if answer["error"]["code"] == MessageLimitReached.code:
            status = MessageLimitReached.status_code
    return _chat_page(request, conversation=conversation, form=form, status=status)


@login_required
@require_POST
def stream(request):
    """The same question for assistant.js: the turn's events as server-sent events, written
    as the engine produces them."""
    form = ChatForm(request.POST)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        response = sse_response([{"type": "error", "code": "invalid", "message": message}])
        response.status_code = 400
        return response
    conversation = None
    if form.cleaned_data["conversation"]:
        conversation = selectors.conversation_of(request.user, form.cleaned_data["conversation"])
        if conversation is None:
            response = sse_response(
                [
                    {
                        "type": "error",
                        "code": "conversation_not_found",
                        "message": _("No such conversation."),
                    }
                ]
            )
            response.status_code = 404
            return response
    return sse_response(
        chat_reply(
            user=request.user,
            message=form.cleaned_data["message"],
            conversation=conversation,
            context=form.turn_context(),
        )
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_rename(request, public_id):
    conversation = _conversation(request, public_id)
    form = RenameForm(request.POST or None, initial={"title": conversation.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_rename(
                user=request.user, public_id=public_id, title=form.cleaned_data["title"]
            )
        except DomainError as exc:
            raise Http404(exc.message) from exc
        messages.success(request, _("The conversation is renamed."))
        return redirect("assistant:conversation", public_id=public_id)
    return render(
        request,
        "assistant/conversation_rename.html",
        {"conversation": conversation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_delete(request, public_id):
    """GET asks "Delete this conversation?" (a page, so it works without JavaScript); POST
    deletes it with its messages."""
    conversation = _conversation(request, public_id)
    if request.method != "POST":
        return render(request, "assistant/conversation_delete.html", {"conversation": conversation})
    try:
        services.conversation_delete(user=request.user, public_id=public_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("The conversation is deleted."))
    return redirect("assistant:chat")
