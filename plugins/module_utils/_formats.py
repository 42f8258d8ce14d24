# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The formats of option values (name, email, url, duration), checked before any request: the words of LiteLLM's
durations, and why a string is not of a format, in one sentence's words. Side-effect free; a Field (_spec.py)
names its format, and a kind's own checks call ``format_problem`` directly.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import re
from urllib.parse import urlsplit

# LiteLLM's durations (litellm_core_utils/duration_parser.py): a number and s, m, h, d, w or mo (no unit: seconds),
# or one of its words.
DURATION = re.compile(r"^[0-9]+(mo|[smhdw])?$")
DURATION_WORDS = ("hourly", "daily", "weekly", "monthly")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# Options whose values are durations wherever they appear (the format of a Field that does not name one).
DURATION_OPTIONS = ("budget_duration", "team_member_budget_duration", "team_member_key_duration", "duration",
                    "rotation_interval")


def stringified(value):
    """The type of a list or mapping that Ansible turned into a string for a str option (``"['a', 'b']"``), else
    None."""
    if not isinstance(value, str) or value[:1] not in "[{(":
        return None
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return {list: "a list", dict: "a mapping", tuple: "a list", set: "a list"}.get(type(parsed))


def format_problem(fmt, value):
    """Why a string is not of the format ``fmt`` (name, email, url, duration), in words; None when it is.

    A name (a natural key or an id) is a real string, not empty, without surrounding whitespace; an email is a
    name with one @; a url is http(s)://host...; an ``os.environ/NAME`` reference stands for a url LiteLLM reads."""
    if not isinstance(value, str) or (value == "" and fmt in ("url", "duration")):  # empty: not set
        return None
    kind = stringified(value)
    if kind and fmt in ("name", "email"):
        return "must be a string, not %s (Ansible turns one into a string such as \"['a', 'b']\")" % kind
    if fmt in ("name", "email"):
        if not value.strip():
            return "must not be empty" if not value else "must not be only whitespace"
        if value != value.strip():
            return "must not begin or end with whitespace"
    if fmt == "email" and not EMAIL.match(value):
        return "must be an email address (name@domain), got '%s'" % value
    if fmt == "url" and not value.startswith("os.environ/"):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or value != value.strip():
            return "must be an http:// or https:// URL, got '%s'" % value
    if fmt == "duration" and not (DURATION.match(value) or value.strip().lower() in DURATION_WORDS):
        return "must be a duration such as 30s, 15m, 24h, 30d, 2w or 1mo (or %s), got '%s'" % (
            ", ".join(DURATION_WORDS), value)
    return None
