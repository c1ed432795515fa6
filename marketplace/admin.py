"""The marketplace in the back office: each area registers its own models (listings, purchases
with escrow state and ledger lines, the disputes queue with decide actions, swaps,
suspensions)."""

from .disputes import admin as _disputes  # noqa: F401
from .listings import admin as _listings  # noqa: F401
from .locker import admin as _locker  # noqa: F401
from .purchases import admin as _purchases  # noqa: F401
from .ratings import admin as _ratings  # noqa: F401
from .swaps import admin as _swaps  # noqa: F401
