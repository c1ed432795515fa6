"""What a developer's console shows: each log record once, readable by default, JSON on request;
and no broker warnings from tasks that run eagerly on the embedded default."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parents[2]

# Records from the loggers `make run` writes to: Django's request log, runserver's access log
# and the console SMS backend (whose code a developer copies from the console).
EMIT = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("Not Found: /no-such-page/")
logging.getLogger("django.server").info('"GET / HTTP/1.1" 200 1234')
logging.getLogger("accounts.sms").info("SMS to +919812345678: Your Coupzii code is 123456")
"""


def console_output(**env: str) -> list[str]:
    """The lines a process on the base settings writes to its console while logging EMIT."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_"))}
    environment.update(DJANGO_SETTINGS_MODULE="coupzii.settings.base", **env)
    finished = subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in (finished.stdout + finished.stderr).splitlines() if line.strip()]


def test_the_console_shows_each_record_once_as_a_readable_line():
    lines = console_output()

    assert len(lines) == 3, lines
    assert sum("Not Found: /no-such-page/" in line for line in lines) == 1
    assert sum('"GET / HTTP/1.1" 200' in line for line in lines) == 1
    sms = [line for line in lines if "SMS to" in line]
    assert sms[0].endswith("accounts.sms: SMS to +919812345678: Your Coupzii code is 123456")
    assert not any(line.startswith("{") for line in lines)


def test_log_format_json_writes_one_json_object_per_record():
    lines = console_output(LOG_FORMAT="json")

    records = [json.loads(line) for line in lines]
    assert [record["name"] for record in records] == [
        "django.request",
        "django.server",
        "accounts.sms",
    ]
    assert records[2]["message"] == "SMS to +919812345678: Your Coupzii code is 123456"
    assert all(record["request_id"] == "-" for record in records)


def test_a_task_run_eagerly_logs_no_broker_warning(settings, caplog):
    # given a Celery app configured as the embedded default is (no broker: eager tasks)
    app = Celery("embedded", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    ran = []

    @app.task
    def note(value):
        ran.append(value)

    # when a task is sent, as paying at checkout sends the dev gateway's webhook
    with caplog.at_level(logging.WARNING):
        note.delay("paid")

    # then it ran, and kombu said nothing about a missing broker host
    assert ran == ["paid"]
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert not [r for r in caplog.records if r.name.startswith("kombu")], caplog.text
