#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: model_alias
short_description: Manage a model alias of the LiteLLM proxy's router
version_added: 0.1.0
description:
  - Set, change or remove one alias of the LiteLLM proxy's (AI gateway's) router (C(router_settings.model_group_alias)),
    a name clients send as C(model) that the router serves with another model group, as the ackstorm operator's
    ModelAlias declares them (C(claude-opus[1m]) served by C(claude-opus), C(smart) by C(gpt-4o)).
  - LiteLLM keeps the aliases in its router settings in the database, so the proxy needs C(store_model_in_db) (the
    module fails, writing nothing, when it is off). They are read from C(/router/settings) (the router's settings
    in force) and written with C(/config/update), which replaces the whole map; each write reads the map
    again and changes only its own alias, so aliases declared elsewhere stay.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  alias:
    description:
      - The name clients send as C(model), the natural key. Letters, digits and the characters C(._:/@+[]-), starting with a
        letter or digit, at most 253 characters.
    type: str
    required: true
  model:
    description:
      - The model group the alias is served by (a C(model_name) of M(llmops.litellm.model)). Required to create the
        alias. As in the ackstorm operator, it is not checked to exist, the router resolves it per request (a model
        declared later, or by a discovery, works once it exists).
    type: str
  hidden:
    description: Whether the alias is left out of the proxy's model lists (C(/models), C(/model_group/info)), the entry
      form of the map with C(hidden) set.
    type: bool
notes:
  - The aliases are also router settings of the proxy config file (C(router_settings.model_group_alias)); give each
    alias one owner.
seealso:
  - module: llmops.litellm.model_alias_info
  - module: llmops.litellm.model
  - module: llmops.litellm.proxy_settings
'''

EXAMPLES = r'''
- name: Claude Code's 1M-context id served by the model
  llmops.litellm.model_alias:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    alias: "claude-opus-4[1m]"
    model: claude-opus-4

- name: A stable name for the current default model, not listed
  llmops.litellm.model_alias:
    alias: smart
    model: gpt-4o
    hidden: true

- name: Remove the alias
  llmops.litellm.model_alias:
    alias: smart
    state: absent
'''

RETURN = r'''
model_alias:
  description: The alias after the run, or as it would be after the run in check mode. Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    alias:
      description: The name clients send.
      type: str
      sample: smart
    model:
      description: The model group that serves it.
      type: str
      sample: gpt-4o
    hidden:
      description: Whether it is left out of the model lists.
      type: bool
      sample: false
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model_alias import MODEL_ALIAS


def main():
    EntityModule(MODEL_ALIAS).execute()


if __name__ == '__main__':
    main()
