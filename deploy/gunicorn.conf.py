"""gunicorn settings for the web container (deploy/compose.yaml) and the benchmarks (bench/)."""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: Django views here block on PostgreSQL and Redis; 2 x cores + 1 keeps the CPU busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a process down in traffic.
max_requests = 2000
max_requests_jitter = 200
# Access lines go to stdout for the container log; the benchmarks turn them off.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# nginx sits in front: believe its X-Forwarded-* headers only when they come from it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# gunicorn 27's control socket lives at one path per user (~/.gunicorn/gunicorn.ctl): the e2e
# and bench servers would take it from each other, and nothing here uses it.
control_socket_disable = True


# Prometheus metrics across worker processes (coupzii.core.metrics): with
# PROMETHEUS_MULTIPROC_DIR set, each worker writes its counts to files there and /metrics/ adds
# them up. The folder is emptied as the master starts (before any worker imports the app), so
# an earlier run's counts are not added in; a dead worker's live gauges are retired.
# The master imports nothing of the app (which would open count files under its own pid).
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
