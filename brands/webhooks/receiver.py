"""How a brand's server checks a delivery: the Python sample the Webhooks page shows.

The tests' loopback receiver runs this very text (`receiver_verify`), so the sample a brand
copies is the code our deliveries are proven against.
"""

RECEIVER_SAMPLE = '''\
import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300  # refuse deliveries signed more than 5 minutes ago (replays)


def coupzii_verify(secret: str, headers: dict, body: bytes) -> bool:
    """True when the request really came from Coupzii: check it before parsing the body.
    `body` is the raw request body, exactly as received."""
    timestamp = headers.get("X-Coupzii-Timestamp", "")
    signature = headers.get("X-Coupzii-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    signed = timestamp.encode() + b"." + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)

# Then answer 2xx quickly, and skip an event whose "id" you have already handled:
# a delivery that timed out on our side may arrive again.
'''


def receiver_verify():
    """The sample's `coupzii_verify`, compiled from the text above."""
    namespace: dict = {}
    exec(compile(RECEIVER_SAMPLE, "coupzii_receiver_sample", "exec"), namespace)  # noqa: S102
    return namespace["coupzii_verify"]
