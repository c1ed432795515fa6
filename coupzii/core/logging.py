"""JSON log lines tagged with the current request id."""

import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from .middleware import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line; `timestamp` in ISO 8601 with the offset."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)
