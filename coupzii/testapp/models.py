from decimal import Decimal

from django.conf import settings
from django.db import models


class PledgeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    REFUNDED = "refunded", "Refunded"


class Pledge(models.Model):
    """Something a user pays for that is not a shop order: the test payable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=PledgeStatus.choices, default="pending")
    pay_by = models.DateTimeField()
    # What the payment path sent back of captures the pledge did not want (late, or twice).
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Refunds the gateway refused or that could not be sent: someone must act.
    stuck_refunds = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Pledge {self.pk} ({self.status})"
