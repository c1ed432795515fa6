"""The brands app's writes, for other apps (the assistant, the marketplace) and for the
portal's areas: re-exported from the sub-package that owns each."""

from .analytics.services import analytics_rollup, analytics_rollup_range
from .team.services import (
    brand_apply,
    brand_reject,
    brand_store_add,
    brand_suspend,
    brand_tier_set,
    brand_verify,
    department_create,
    department_delete,
    department_update,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    member_leave,
    member_remove,
    member_update,
)
from .till.budgets import budget_create, budget_delete, budget_update
from .till.services import (
    api_key_create,
    api_key_revoke,
    till_lock,
    till_redeem,
    till_rollback,
    till_unlock,
    till_validate,
)
from .webhooks import events as webhook_events
from .webhooks.events import event_emit

__all__ = [
    "analytics_rollup",
    "analytics_rollup_range",
    "api_key_create",
    "api_key_revoke",
    "brand_apply",
    "brand_reject",
    "brand_store_add",
    "brand_suspend",
    "brand_tier_set",
    "brand_verify",
    "budget_create",
    "budget_delete",
    "budget_update",
    "department_create",
    "department_delete",
    "department_update",
    "event_emit",
    "invitation_accept",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "member_leave",
    "member_remove",
    "member_update",
    "till_lock",
    "till_redeem",
    "till_rollback",
    "till_unlock",
    "till_validate",
    "webhook_events",
]
