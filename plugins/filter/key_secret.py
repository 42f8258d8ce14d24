# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""key_secret, key_secret_name: the Secret that keeps the value of the operator's LiteLLMVirtualKey, by the rule
the operator's batch follows too (one rule: _virtual_key.key_secret and key_secret_name)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import key_secret, key_secret_name


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


class FilterModule:
    def filters(self) -> dict:
        return {"key_secret": _key_secret, "key_secret_name": _key_secret_name}
