"""In-process transports: the client libraries talk to a simulator without sockets."""

from urllib.parse import urlsplit

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .app import ENV_CLIENT_TIMEOUT
from .faults import SimulatedTimeout


def _read_timeout(timeout):
    if isinstance(timeout, tuple):
        return timeout[1]
    return timeout


class WSGIAdapter(BaseAdapter):
    """A ``requests`` adapter that calls a WSGI app directly.

    ``session.mount("https://sellingpartnerapi-na.amazon.com", WSGIAdapter(sim))``
    sends every request for that host to ``sim``. A SimulatedTimeout becomes
    ``requests.exceptions.ReadTimeout``, as a stalled server would produce.
    """

    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        builder = EnvironBuilder(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=request.method,
            headers=dict(request.headers),
            data=body or b"",
        )
        environ = builder.get_environ()
        environ[ENV_CLIENT_TIMEOUT] = _read_timeout(timeout)
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        except SimulatedTimeout as exc:
            raise requests.exceptions.ReadTimeout(str(exc), request=request) from exc
        try:
            content = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close:
                close()
        response = requests.Response()
        code, _, reason = status.partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers.items())
        response._content = content
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        response.connection = self
        return response

    def close(self):
        pass


def requests_session(app, *base_urls):
    """A requests.Session whose calls to ``base_urls`` reach ``app`` in-process."""
    session = requests.Session()
    adapter = WSGIAdapter(app)
    for url in base_urls:
        session.mount(url, adapter)
    return session


class HttpxTransport(httpx.BaseTransport):
    """An httpx transport calling a WSGI app; SimulatedTimeout becomes httpx.ReadTimeout."""

    def __init__(self, app):
        self.app = app

    def handle_request(self, request):
        read_timeout = request.extensions.get("timeout", {}).get("read")
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]

        def app_with_timeout(environ, start_response):
            environ[ENV_CLIENT_TIMEOUT] = read_timeout
            environ.setdefault("RAW_URI", raw_path)  # as werkzeug's server sets it
            return self.app(environ, start_response)

        try:
            return httpx.WSGITransport(app=app_with_timeout).handle_request(request)
        except SimulatedTimeout as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc


def httpx_client(app, **kwargs):
    """An httpx.Client whose every request reaches ``app`` in-process."""
    return httpx.Client(transport=HttpxTransport(app), **kwargs)
