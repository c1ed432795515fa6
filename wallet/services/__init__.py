"""The wallet's writes, one module per part: cashback, referrals, KYC, withdrawals, claims."""
