#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: proxy_settings
short_description: Declare the LiteLLM proxy's settings that its Admin UI can change
version_added: 0.1.0
description:
  - Sets the settings the LiteLLM proxy (AI gateway) keeps in its database and lets its Admin UI change, so that
    what is declared wins over what was clicked; a second run (or a drift check in check mode) finds and undoes a
    change made in the UI.
  - The proxy has one set of these settings. Only the keys you declare are compared, set or removed; the other keys
    are left as they are. Values are compared whole (a mapping or list value as one value).
  - O(general_settings) holds LiteLLM's general settings (alerting, spend-log retention, limits, pass-through
    endpoints, ...) and the Admin UI's settings that LiteLLM handles with them (C(max_ui_session_budget),
    C(budget_rollover), C(enable_anthropic_prompt_caching), ...). O(router_settings) holds the router's settings
    (retries, cooldowns, routing strategy, ...).
  - The proxy must store its configuration in the database (C(general_settings.store_model_in_db=true) or the
    C(STORE_MODEL_IN_DB=True) environment variable); without it LiteLLM accepts the writes and never reads them,
    so the module refuses.
  - A key the proxy's config file sets cannot be changed through the API (LiteLLM refuses it); the module refuses it
    before writing anything.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes
options:
  general_settings:
    description:
      - General settings, key by key. A key LiteLLM does not know is refused.
      - A value under a key whose name says it is a secret (C(*_key), C(*_token), C(*_secret), C(*_password)) or
        under C(database_url), C(database_extra_connection_params) or C(alert_to_webhook_url) must be an
        C(os.environ/NAME) reference, which LiteLLM reads from its own environment; a literal is refused, since
        LiteLLM would store and show it in plain text.
      - With O(state=absent), the keys given are removed (their values are ignored), which returns them to
        LiteLLM's defaults.
    type: dict
  router_settings:
    description:
      - Router settings, key by key, as LiteLLM's C(router_settings) takes them. A key LiteLLM does not know is
        refused by LiteLLM before it writes anything. Secrets as for O(general_settings).
      - LiteLLM cannot remove a router setting through its API, so O(state=absent) with router settings is refused.
      - LiteLLM reloads every model of the proxy before it answers a change of router settings (85 seconds with 204
        models on a loaded host); raise O(timeout) on a proxy with many models.
    type: dict
  state:
    description:
      - V(present) sets the keys declared; V(absent) removes the keys of O(general_settings).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: llmops.litellm.proxy_settings_info
  - name: LiteLLM proxy settings
    description: LiteLLM's documentation of its configuration.
    link: https://docs.litellm.ai/docs/proxy/configs
'''

EXAMPLES = r'''
- name: Settings that win over the Admin UI
  llmops.litellm.proxy_settings:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    general_settings:
      maximum_spend_logs_retention_period: 30d
      alerting: [slack]
      alert_to_webhook_url:
        budget_alerts: os.environ/SLACK_WEBHOOK_URL
      max_ui_session_budget: 2.5
    router_settings:
      num_retries: 3
      allowed_fails: 5

- name: Back to LiteLLM's default retention
  llmops.litellm.proxy_settings:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    general_settings:
      maximum_spend_logs_retention_period:
    state: absent
'''

RETURN = r'''
proxy_settings:
  description:
    - The declared keys after the run (or as they would be after it, in check mode), by section; a removed key is
      V(null).
  returned: always
  type: dict
  sample: {"general_settings": {"maximum_spend_logs_retention_period": "30d"}, "router_settings": {"num_retries": 3}}
changes:
  description: The keys that differed, each with its live and its desired value (V(null) to remove).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "router_settings.num_retries", "live": 2, "desired": 3}]
'''

from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings as settings


class ProxySettingsModule(LiteLLMModule):

    def run(self):
        self.action = "validate %s" % settings.KIND
        declared = settings.validate(self.params)
        self.action = "read %s" % settings.KIND
        if not settings.store_in_db(self.client):
            raise UnsupportedError(settings.STORE_REFUSAL)
        live = settings.read(self.client, declared)
        changes = settings.plan(declared, live, self.params["state"])
        self.action = "update %s" % settings.KIND
        settings.refuse_config_owned(changes, live)
        if changes and not self.check_mode:
            settings.apply(self.client, changes)
        after = settings.view(declared, live, changes)
        result = dict(changed=bool(changes), proxy_settings=self.secret_free(after),
                      changes=self.secret_free(settings.change_list(changes)))
        if self._diff:
            result["diff"] = dict(before=self.secret_free(settings.view(declared, live)),
                                  after=result["proxy_settings"])
        return result


def main():
    ProxySettingsModule(dict(
        general_settings=dict(type="dict"),
        router_settings=dict(type="dict"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )).execute()


if __name__ == '__main__':
    main()
