"""Loopback HTTP server for end-to-end runs (other processes, real sockets)."""

import contextlib
import logging
import socket
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import ENV_PUBLIC_URL, ENV_SERVER_MODE
from .faults import SimulatedTimeout


class _QuietHandler(WSGIRequestHandler):
    def connection_dropped(self, error, environ=None):
        # Close the socket at once: the client sees the connection reset by the peer
        # instead of waiting for its own read timeout.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_request(self, code="-", size="-"):
        logging.getLogger("marketplace_sim.server").debug("%s %s %s", self.command, self.path, code)


class LoopbackServer:
    """Serve ``app`` on 127.0.0.1 in a background thread.

    ``with LoopbackServer(sim) as server: requests.get(server.url + "/...")``.
    Port 0 picks a free port. A simulated timeout drops the connection without
    an answer, which is what a client sees from a dead upstream.
    """

    def __init__(self, app, host="127.0.0.1", port=0, public_url=None):
        self.app = app
        self.host, self.port = host, port
        self.public_url = public_url  # e.g. the address seen through a port mapping
        self._server = None
        self._thread = None

    def _wsgi(self, environ, start_response):
        environ[ENV_SERVER_MODE] = True
        environ[ENV_PUBLIC_URL] = self.public_url or self.url
        try:
            return self.app(environ, start_response)
        except SimulatedTimeout as exc:
            # werkzeug closes the socket silently on ConnectionError.
            raise ConnectionAbortedError(str(exc)) from exc

    @property
    def url(self):
        return f"http://{self.host}:{self._server.server_port}"

    def start(self):
        self._server = make_server(
            self.host, self.port, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"sim-{self.app.marketplace}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self):
        self._server = make_server(
            self.host, self.port, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._server.serve_forever()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
