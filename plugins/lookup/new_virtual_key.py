# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: new_virtual_key
author:
  - llmops.litellm maintainers (@llmops)
short_description: A new LiteLLM virtual key value, made as the virtual_key module makes one
version_added: 0.1.0
description:
  - Returns the value of a new virtual key in LiteLLM's own format (C(sk-) and 16 random bytes, URL-safe base64),
    from the same generator as M(llmops.litellm.virtual_key) and M(llmops.litellm.gateway_state).
  - Takes no terms. The value is a secret - set C(no_log) on the task that handles it.
"""

EXAMPLES = r"""
- name: Make the value of a key to keep in a Secret before LiteLLM sees it
  ansible.builtin.set_fact:
    key_value: "{{ lookup('llmops.litellm.new_virtual_key') }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description: One new key value.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import new_key


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms or kwargs:
            raise AnsibleLookupError("new_virtual_key takes no terms or options")
        return [new_key()]
