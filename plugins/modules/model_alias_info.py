#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model_alias_info
short_description: Read the model aliases of the LiteLLM proxy's router
version_added: 0.1.0
description:
  - Returns one alias, or every alias, of the router of the LiteLLM proxy (C(router_settings.model_group_alias), read
    from C(/router/settings)), each with the keys of the C(model_alias) result of M(llmops.litellm.model_alias).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  alias:
    description: Return only this alias (an empty list when it does not exist).
    type: str
seealso:
  - module: llmops.litellm.model_alias
'''

EXAMPLES = r'''
- name: Read every alias
  llmops.litellm.model_alias_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: aliases

- name: Show them as alias -> model
  ansible.builtin.debug:
    msg: "{{ aliases.model_aliases | items2dict(key_name='alias', value_name='model') }}"
'''

RETURN = r'''
model_aliases:
  description: The aliases found, each with the keys of the C(model_alias) result of M(llmops.litellm.model_alias).
  returned: always
  type: list
  elements: dict
  sample:
    - alias: smart
      model: gpt-4o
      hidden: false
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model_alias import MODEL_ALIAS


def main():
    InfoModule(MODEL_ALIAS).execute()


if __name__ == '__main__':
    main()
