"""Routes under /api/v1/ for the wallet: balances, transactions, cashback, withdrawals, KYC,
missing-cashback claims and referrals."""

urlpatterns: list = []
