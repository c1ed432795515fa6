"""A stand-in for a brand's own server, for development only (like the shop's dev gateway):
it receives a webhook's deliveries on this site and checks each signature with the very sample
the Webhooks page tells brands to copy, so the delivery log shows a real receiver's answers.

On only when `settings.WEBHOOKS_DEV_RECEIVER` is (the embedded default, DEBUG on); production
answers 404. It plays the brand's server, which knows the endpoint's secret.
"""

import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from brands.models import Webhook

from .receiver import receiver_verify


@csrf_exempt  # A webhook is a server-to-server POST, signed instead of carrying a CSRF token.
@require_POST
def dev_webhook_receive(request, public_id):
    if not settings.WEBHOOKS_DEV_RECEIVER:
        raise Http404
    webhook = get_object_or_404(Webhook, public_id=public_id)
    if not receiver_verify()(webhook.secret, request.headers, request.body):
        return JsonResponse({"ok": False, "error": "signature does not verify"}, status=400)
    try:
        event = json.loads(request.body)
    except ValueError:
        return JsonResponse({"ok": False, "error": "the body is not JSON"}, status=400)
    return JsonResponse(
        {"ok": True, "verified": True, "event": event.get("event"), "id": event.get("id")}
    )
