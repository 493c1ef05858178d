"""Serve a static site directory on 127.0.0.1, also as an HTTP proxy for its public host.

The bundled sample site poses as ``http://tintuccongdoan.example``; its sitemaps, feed and
canonical links use that host. Pointed at this server as its HTTP proxy, an unmodified
crawler fetches ``http://tintuccongdoan.example/...`` and gets the local files, so the URLs
it records are the site's own whatever port the server got. Requests for any other host
are refused (502), as a closed network would.
"""
from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class SiteHandler(SimpleHTTPRequestHandler):
    site_hosts: frozenset[str] = frozenset()
    requested: list[str]
    delay: float = 0.0

    def _route(self) -> bool:
        self.requested.append(self.path)
        if self.delay:
            time.sleep(self.delay)
        self._etag_sent = False  # one handler serves every request of a keep-alive connection
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            if parts.hostname not in self.site_hosts | LOCAL_HOSTS:
                self.send_error(502, f"no route to {parts.hostname} from this test server")
                return False
            self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        return True

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self._route() and not self._not_modified():
            super().do_GET()

    def _etag(self) -> str:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        try:
            with open(path, "rb") as fh:
                return '"' + hashlib.sha1(fh.read()).hexdigest()[:20] + '"'
        except OSError:
            return ""

    def _not_modified(self) -> bool:
        """ETag / If-None-Match (the base class only knows If-Modified-Since)."""
        etag = self._etag()
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self._etag_sent = True
            self.end_headers()
            return True
        return False

    def end_headers(self) -> None:
        if not getattr(self, "_etag_sent", True) and self.command in ("GET", "HEAD"):
            self._etag_sent = True
            etag = self._etag()
            if etag:
                self.send_header("ETag", etag)
        super().end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._route():
            super().do_HEAD()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class SiteServer:
    """``with SiteServer(directory, hosts) as srv: srv.url`` — started on a free port."""

    def __init__(
        self, directory: Path, hosts: tuple[str, ...] = (), delay: float = 0.0, handler: type[SiteHandler] | None = None
    ) -> None:
        self.requested: list[str] = []  # every request line's target, in order (for tests and logs)
        handler = type("Handler", (handler or SiteHandler,), {"site_hosts": frozenset(hosts), "requested": self.requested, "delay": delay})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="site-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
