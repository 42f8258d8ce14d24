# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Secret that keeps the value of the operator's LiteLLMVirtualKey, by the rules the operator's batch follows
too (one rule each, in _virtual_key): key_secret (its manifest), key_secret_name, key_secret_value (the value it
keeps), key_secret_made_at (when that value was made)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    key_secret,
    key_secret_made_at,
    key_secret_name,
    key_secret_value,
)


def _key_secret(cr, value, made_at=None):
    try:
        return key_secret(cr, value, made_at)
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("key_secret: the custom resource needs metadata.name and a string value (%s)" % exc)


def _key_secret_name(cr):
    try:
        return key_secret_name(cr)
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("key_secret_name: the custom resource needs metadata.name (%s)" % exc)


def _key_secret_value(secret):
    try:
        return key_secret_value(secret)
    except (ValueError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("key_secret_value: %s" % exc)


def _key_secret_made_at(secret):
    try:
        return key_secret_made_at(secret)
    except AttributeError as exc:
        raise AnsibleFilterError("key_secret_made_at: the input must be a Secret (%s)" % exc)


class FilterModule:
    def filters(self) -> dict:
        return {"key_secret": _key_secret, "key_secret_name": _key_secret_name, "key_secret_value": _key_secret_value,
                "key_secret_made_at": _key_secret_made_at}
