"""The life cycle every loopback provider server in the tests shares: a threaded HTTP server
on a free local port, started and stopped around a test (or with `with`)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Subclasses set `handler` (whose requests reach this object as `self.server.loopback`)
    and `thread_name`."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "loopback"

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._server.daemon_threads = True
        self._server.loopback = self
        # A short poll: stop() waits for one poll, and a test suite starts many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
