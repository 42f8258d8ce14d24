#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: proxy_settings_info
short_description: Read the LiteLLM proxy's settings that its Admin UI can change
version_added: 0.1.0
description:
  - Returns the general settings that the proxy's C(/config/list) shows as set, with where each comes from, and the
    router settings in force.
  - General settings that C(/config/list) does not list (such as C(alerting)) are read with
    M(llmops.litellm.proxy_settings) in check mode, which reads the keys it is given.
  - Secret literals are blanked; C(os.environ/) references are shown.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options: {}
seealso:
  - module: llmops.litellm.proxy_settings
'''

EXAMPLES = r'''
- name: Read the proxy's settings
  llmops.litellm.proxy_settings_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: found

- name: Show the router's retries
  ansible.builtin.debug:
    msg: "{{ found.proxy_settings.router_settings.num_retries }}"
'''

RETURN = r'''
proxy_settings:
  description: The settings, by section.
  returned: always
  type: dict
  contains:
    general_settings:
      description: The general settings shown as set, by key.
      type: dict
      sample: {"store_model_in_db": true, "maximum_spend_logs_retention_period": "30d"}
    general_settings_sources:
      description: Where each general setting comes from (C(config) the proxy's config file, C(db) the database).
      type: dict
      sample: {"store_model_in_db": "config", "maximum_spend_logs_retention_period": "db"}
    router_settings:
      description: The router settings in force, by key.
      type: dict
      sample: {"num_retries": 2, "routing_strategy": "simple-shuffle"}
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings as settings


class ProxySettingsInfoModule(LiteLLMModule):

    def run(self):
        self.action = "read %s" % settings.KIND
        return dict(changed=False, proxy_settings=self.secret_free(settings.read_all(self.client)))


def main():
    ProxySettingsInfoModule({}).execute()


if __name__ == '__main__':
    main()
