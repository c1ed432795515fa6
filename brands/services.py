"""The brands app's writes, for other apps (the assistant, the marketplace) and for the
portal's areas: re-exported from the sub-package that owns each."""

from .webhooks import events as webhook_events
from .webhooks.events import event_emit

__all__ = ["event_emit", "webhook_events"]
