# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one HTTP client every module uses to talk to the LiteLLM proxy."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    LiteLLMError,
    error_message,
    scrub,
    scrub_data,
)
from ansible_collections.llmops.litellm.plugins.module_utils._http import (
    ERRORS,
    NotSent,
    Transport,
    describe_exception,
    query_string,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import ROUTE_WORDS

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
IDEMPOTENT_METHODS = READ_METHODS | frozenset(("PUT", "DELETE"))
# 429 means LiteLLM turned the request away before acting on it; gateway errors may come after it acted.
RETRY_ALWAYS = frozenset((429,))
RETRY_IF_IDEMPOTENT = frozenset((502, 503, 504))
MAX_RETRY_AFTER = 30.0
# The operator sets it for its runs: the client appends one JSON line per HTTP request (method, route template,
# status, seconds; nothing else) to the file it names, which the operator folds into its metrics.
REQUEST_LOG_ENV = "LLMOPS_OPERATOR_REQUEST_LOG"


def route_template(path):
    """``path`` without its query string, every segment that is not a route word written ``{id}``."""
    return "/".join(s if not s or s in ROUTE_WORDS else "{id}" for s in path.split("?", 1)[0].split("/"))


def log_request(method, path, status, seconds):
    """Append the request's line to the operator's request log, when one is set (never fails the caller)."""
    target = os.environ.get(REQUEST_LOG_ENV)
    if not target:
        return
    line = json.dumps({"method": method, "route": route_template(path), "status": status,
                       "seconds": round(seconds, 6)}, sort_keys=True) + "\n"
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError:
        pass


def retry_delay(attempt, backoff, retry_after=None):
    """Seconds to wait before try ``attempt + 1``: the server's Retry-After if it gave one, else exponential."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
        except ValueError:
            pass
    return backoff * (2 ** attempt)


def should_retry(status, idempotent):
    return status in RETRY_ALWAYS or (idempotent and status in RETRY_IF_IDEMPOTENT)


class Client(object):
    """One keep-alive HTTP connection to one LiteLLM proxy (not shared between threads: one Client per thread).

    Every call has a timeout. Calls that are safe to repeat are retried with backoff: reads on connection errors
    and HTTP 429/502/503/504, any call whose request never left this host, and any call LiteLLM answered with 429.
    A create (POST that is not marked idempotent) is never retried once it may have reached the server.
    In check mode the client refuses every request that is not a read, so a module bug cannot write.
    Errors are LiteLLMError with method, path, status and LiteLLM's message, scrubbed of secrets.
    """

    def __init__(self, url, api_key, timeout=30, validate_certs=True, ca_path=None, check_mode=False,
                 retries=3, backoff=0.5, sleep=time.sleep, logged=True):
        self.url = url.rstrip("/")
        self.logged = logged  # False for a server that is not LiteLLM: its requests stay out of the request log
        self.timeout = timeout
        self.check_mode = check_mode
        self.retries = retries
        self.backoff = backoff
        self._secrets = (api_key,) if api_key else ()
        self._sleep = sleep
        self._kept = {}
        self.writes = []  # "METHOD /path" of every write LiteLLM accepted, in order: what a failed run changed
        headers = {"Accept": "application/json"}
        if api_key:  # none for a server that asks for no key (a provider's model list)
            headers["Authorization"] = "Bearer %s" % api_key
        self.transport = Transport(self.url, timeout, validate_certs, ca_path, headers)

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def get_kept(self, path, params=None):
        """A GET answered once per client (one module run), error included: for what the proxy offers."""
        where = (path, tuple(sorted((params or {}).items())))
        if where not in self._kept:
            try:
                self._kept[where] = (self.get(path, params=params), None)
            except LiteLLMError as exc:
                self._kept[where] = (None, exc)
        answer, error = self._kept[where]
        if error is not None:
            raise error
        return answer

    def post(self, path, body, idempotent=False):
        return self.request("POST", path, body=body, idempotent=idempotent)

    def request(self, method, path, params=None, body=None, idempotent=None):
        method = method.upper()
        query = query_string(params)
        where = "%s %s" % (method, path + ("?" + query if query else ""))
        if self.check_mode and method not in READ_METHODS:
            raise LiteLLMError("refusing to send %s in check mode" % where)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            try:
                response = self._send(method, path, query, body)
            except ERRORS as exc:
                if attempt < self.retries and (idempotent or isinstance(exc, NotSent)):
                    self._sleep(retry_delay(attempt, self.backoff))
                    attempt += 1
                    continue
                raise LiteLLMError(self._scrub("cannot reach LiteLLM at %s: %s (%s)" % (
                    self.url, describe_exception(exc), where)))
            if attempt < self.retries and should_retry(response.status, idempotent):
                self._sleep(retry_delay(attempt, self.backoff, response.header("Retry-After")))
                attempt += 1
                continue
            answer = self._result(where, response)
            if method not in READ_METHODS:
                self.writes.append("%s %s" % (method, path))
            return answer

    def _send(self, method, path, query, body):
        started, status = time.monotonic(), None
        try:
            response = self.transport.request(method, path + ("?" + query if query else ""), body)
            status = response.status
            return response
        finally:
            if self.logged:
                log_request(method, path, status, time.monotonic() - started)

    def _result(self, where, response):
        try:
            body = json.loads(response.data.decode("utf-8")) if response.data else None
        except ValueError:
            body = response.data.decode("utf-8", "replace")
        if response.status < 400:
            return body
        body = scrub_data(body, self._secrets)
        status = response.status
        detail = "%s returned HTTP %d: %s" % (where, status, error_message(body) or response.reason)
        if status == 401:
            detail = "authentication failed: the api_key was rejected (%s)" % detail
        raise LiteLLMError(self._scrub(detail), status=status, body=body)

    def _scrub(self, text):
        return scrub(text, self._secrets)
