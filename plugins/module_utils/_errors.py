# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Errors raised by the client and the engine, and the scrubbing that keeps secrets out of them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import json
import re

REDACTED = "********"

# Values that look like credentials wherever they appear in free text: bearer tokens, LiteLLM keys
# (sk-...) and key hashes (64 hex digits), and "key"/"api_key"/"token"/"secret"/"password" assignments in JSON,
# query strings or prose.
_SECRET_PATTERNS = (
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1" + REDACTED),
    (re.compile(r"\bsk-[A-Za-z0-9_.\-]{2,}"), REDACTED),
    (re.compile(r"\b[0-9a-fA-F]{64}\b"), REDACTED),
    (re.compile(r"(?i)(?<![a-z0-9])([\"']?(?:[a-z0-9_]*_)?(?:key|token|secret|password|passwd)[\"']?\s*[:=]\s*[\"']?)"
                r"(?!\*)[^\s\"',;&}]+"), r"\1" + REDACTED),
)

# Names of fields whose values are secrets: key, api_key, master_key, access_token, client_secret, ...
SECRET_NAME = re.compile(r"(?i)(?:^|_)(?:key|token|secret|password|passwd)$")
# ... except prices, which LiteLLM names after what they price (input_cost_per_token).
PRICE_NAME = re.compile(r"(?i)(?:^|_)cost(?:_|$)")


def scrub(text, secrets=()):
    """Return ``text`` with the given secret values and anything that looks like a credential blanked."""
    if text is None:
        return None
    text = str(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub_data(data, secrets=()):
    """Scrub a parsed JSON value: secret-named fields are blanked, every string is scrubbed."""
    if isinstance(data, dict):
        return dict(
            (k, REDACTED if SECRET_NAME.search(str(k)) and not PRICE_NAME.search(str(k)) and v not in (None, "")
             else scrub_data(v, secrets))
            for k, v in data.items()
        )
    if isinstance(data, (list, tuple)):
        return [scrub_data(v, secrets) for v in data]
    if isinstance(data, str):
        return scrub(data, secrets)
    return data


def error_message(body):
    """LiteLLM's own message from an error body: ``{"error": {"message": ...}}``, ``{"detail": ...}`` or text."""
    if isinstance(body, dict):
        for name in ("error", "detail"):
            if name in body and body[name] not in (None, "", {}, []):
                return error_message(body[name])
        if "message" in body:
            return error_message(body["message"])
        if "msg" in body:  # one FastAPI validation error
            location = ".".join(str(p) for p in body.get("loc", ()) if p != "body")
            return "%s: %s" % (location, body["msg"]) if location else str(body["msg"])
        return json.dumps(body, sort_keys=True)
    if isinstance(body, list):
        return "; ".join(error_message(item) for item in body)
    text = "" if body is None else str(body).strip()
    if text.startswith("{") and text.endswith("}"):  # LiteLLM often wraps a dict's repr in its message
        try:
            return error_message(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            pass
    return text


class LiteLLMError(Exception):
    """A failed call to LiteLLM, or a request the module refuses to make.

    ``msg`` is complete and already scrubbed; ``status`` and ``body`` (the parsed error, scrubbed) are returned
    to the user beside it.
    """

    def __init__(self, msg, status=None, body=None):
        super(LiteLLMError, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.body = body


class ValidationError(LiteLLMError):
    """The module's input is invalid; nothing was sent."""


class MissingObject(ValidationError):
    """An object names another (its team, its credential) that exists neither live nor declared: it waits for it.
    ``waits_for`` names the missing object as reports do (``team 'research'``)."""

    def __init__(self, msg, waits_for):
        super(MissingObject, self).__init__(msg)
        self.waits_for = waits_for


class UnsupportedError(LiteLLMError):
    """This LiteLLM cannot do what the module asks (an endpoint, a licence or a setting it lacks), as it says itself."""
