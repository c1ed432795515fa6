"""The till: API keys (shown once, hashed, revocable), key authentication for the till API
(validate, lock, unlock, redeem, roll back), budgets spent by a redemption guard with one
conditional UPDATE, and the till, keys and budgets pages.

Modules: services (keys, the till actions), budgets (budgets and their guard), guards (the
till's webhook events), selectors, authentication (key auth, per-key throttle, permission),
api, views, forms, demo.
"""
