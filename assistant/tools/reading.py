"""Reading tools: offers, stores, locker, listings, wallet, cashback, orders, gift cards, cart."""
