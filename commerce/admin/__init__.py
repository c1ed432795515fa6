"""The shop's back office, one module per part:

- orders.py: orders, read-only, with their lines, payments, refunds and timeline;
- actions.py: the operator's actions on an order (fulfil from stock, fulfil a line by hand,
  refund lines), with forms.py for their forms and the promo code form;
- promos.py: promo codes;
- payments.py: payments, refunds and gateway webhook events;
- common.py: what they share (status colours, links, the "created" column).

Operators never edit an order's amounts or statuses here: every change is a call to
commerce.services.fulfilment, which checks the order under its lock, moves the ledger and
tells the shopper; its refusals are shown to the operator. Voucher codes are not shown at
all (catalog's admin lists them, masked).
"""

from . import orders, payments, promos  # noqa: F401 (each registers its models with the site)
