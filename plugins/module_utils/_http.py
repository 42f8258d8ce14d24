# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP/1.1 with keep-alive over Python's own http.client, for the one client of _client.py.

The standard library only, so that a module run imports no third-party HTTP stack (importing ``requests`` cost a
module run ~0.15 CPU-s, half of what the rest of the run costs). It keeps what the modules relied on: one reused
connection per client, a timeout on every call, TLS verified against the system's CA store or ``ca_path`` (or not at
all), the ``http_proxy``/``https_proxy``/``no_proxy`` environment variables, and the one distinction retries need:
whether a request can have left this host (``NotSent`` when it cannot).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import http.client
import json
import re
import select
import ssl

from urllib.parse import quote, unquote, urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

USER_AGENT = "llmops.litellm"
# The characters a path may carry as they are (the already-quoted ``%XX`` included), as requests left them.
PATH_SAFE = "!#$%&'()*+,/:;=?@[]~"


class NotSent(Exception):
    """The request never left this host (connection refused, name not resolved, connect timeout, TLS handshake):
    repeating it is safe whatever the method."""

    def __init__(self, error):
        super(NotSent, self).__init__(error)
        self.error = error


# What a request can fail with: the errors of the socket and of HTTP, and NotSent.
ERRORS = (OSError, http.client.HTTPException, NotSent)


class Response(object):
    def __init__(self, status, reason, headers, data):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data

    def header(self, name):
        return self.headers.get(name.lower())


def query_string(params):
    """``params`` as a query string: None values left out, lists as repeated keys (as requests sent them)."""
    if not params:
        return ""
    return urlencode([(k, v) for k, v in params.items() if v is not None], doseq=True)


def describe_exception(exc):
    """A short reason for a connection error, without object reprs."""
    error = exc.error if isinstance(exc, NotSent) else exc
    if isinstance(error, TimeoutError) or type(error).__name__ == "timeout":
        return "timed out"
    text = str(error)
    text = re.sub(r"<[^<>]*object at 0x[0-9a-f]+>:\s*", "", text)
    return text.strip("'\" ") or type(error).__name__


def _dropped(sock):
    """True when a kept connection was closed by the server while idle (it is readable with nothing to read)."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class Transport(object):
    """One keep-alive connection to the server of ``url`` (not thread-safe: one per thread)."""

    def __init__(self, url, timeout, validate_certs=True, ca_path=None, headers=None):
        parts = urlsplit(url)
        self.invalid = None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.invalid = ValueError("not an http:// or https:// URL")
            parts = urlsplit("http://invalid.")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.base = parts.path.rstrip("/")
        self.origin = "%s://%s" % (parts.scheme, parts.netloc.rpartition("@")[2])
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.headers.setdefault("User-Agent", USER_AGENT)
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.context = None
        self.proxy = self._proxy(parts.scheme)
        self.connection = None

    def _proxy(self, scheme):
        """The proxy the environment names for this server, as (host, port, Proxy-Authorization or None)."""
        proxy = getproxies().get(scheme)
        if not proxy or proxy_bypass("%s:%d" % (self.host, self.port)) or proxy_bypass(self.host):
            return None
        parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        auth = None
        if parts.username is not None:
            token = "%s:%s" % (unquote(parts.username), unquote(parts.password or ""))
            auth = "Basic " + base64.b64encode(token.encode("utf-8")).decode("ascii")
        return parts.hostname, parts.port or 8080, auth

    def _tls(self):
        if self.context is None:
            if self.validate_certs:
                self.context = ssl.create_default_context(cafile=self.ca_path or None)
            else:
                self.context = ssl._create_unverified_context()  # pylint: disable=protected-access
        return self.context

    def _connect(self):
        if self.invalid is not None:
            raise NotSent(self.invalid)
        try:
            return self._open()
        except (OSError, http.client.HTTPException) as exc:
            raise NotSent(exc)

    def _open(self):
        if self.proxy is None:
            if self.https:
                conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self._tls())
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        else:
            host, port, auth = self.proxy
            if self.https:
                conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._tls())
                conn.set_tunnel(self.host, self.port, headers={"Proxy-Authorization": auth} if auth else None)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        try:
            conn.connect()
        except BaseException:
            conn.close()
            raise
        return conn

    def request(self, method, path, body=None):
        """Send one request (``body`` as JSON when not None) and read the whole answer."""
        conn = self.connection
        if conn is not None and (conn.sock is None or _dropped(conn.sock)):
            conn.close()
            conn = None
        if conn is None:
            conn = self.connection = self._connect()
        target = self.base + quote(path, safe=PATH_SAFE)
        headers = dict(self.headers)
        if self.proxy is not None and not self.https:
            target = self.origin + target
            if self.proxy[2]:
                headers["Proxy-Authorization"] = self.proxy[2]
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, target, body=data, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.connection = None
            raise
        if answer.will_close:
            conn.close()
            self.connection = None
        return Response(answer.status, answer.reason, dict((k.lower(), v) for k, v in answer.getheaders()), content)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None
