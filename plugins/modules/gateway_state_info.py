#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: gateway_state_info
short_description: Export the live state of a LiteLLM proxy as a gateway document (and as custom resources)
version_added: 0.1.0
description:
  - Reads every object of the chosen kinds of the LiteLLM proxy (AI gateway) with one list call per kind and
    returns them in the document format of M(llmops.litellm.gateway_state), so that what was clicked in the
    Admin UI can be reviewed, kept in files and promoted. Applying the export to the same proxy changes nothing.
  - Objects are written with their module's options. Ids LiteLLM generates (a team's C(team_id), a key's token)
    are left out; a team's organization and a key's team and organization are named by alias
    (C(organization_alias), C(team_alias)).
  - B(Secrets are never exported.) A write-only secret (a credential's C(credential_values), a model's literal
    C(provider_api_key), masked guardrail parameters, MCP headers) becomes the placeholder
    C(llmops-secret/<KIND>_<NAME>_<OPTION>), which M(llmops.litellm.gateway_state) takes as I(do not touch).
    Replace it with the secret (for example C({{ lookup('env', 'NAME') }})) to set it. An C(os.environ/NAME)
    reference the model module recorded is no secret, and is exported as it is.
  - Objects defined in the proxy's config file, and virtual keys without an alias, are left out (a document
    cannot declare them).
  - With O(instance_ref), the export is also rendered as custom resources of the llmops operator
    (C(litellm.llmops.dev/v1alpha1); kinds and spec fields as in the PalenaAI LiteLLM operator).
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  kinds:
    description:
      - The kinds to export (document keys, for example V(teams)). Default, every kind but C(proxy_settings).
      - V(proxy_settings) exports the general settings LiteLLM's database holds (not the router settings, of which
        LiteLLM shows only those in force, its defaults included).
    type: list
    elements: str
  name_prefix:
    description: Export only objects whose natural key starts with this prefix.
    type: str
  owner:
    description:
      - Export only objects that carry this ownership marker (see the C(scope.owner) option of
        M(llmops.litellm.gateway_state)); kinds without a marker are then left out. The marker itself is never
        exported.
    type: str
  instance_ref:
    description: The name of the C(LiteLLMInstance) the rendered custom resources refer to; set it to get RV(manifests).
    type: str
  namespace:
    description: The namespace of the rendered custom resources.
    type: str
  workers:
    description: How many list calls may be in flight at once.
    type: int
    default: 8
seealso:
  - module: llmops.litellm.gateway_state
'''

EXAMPLES = r'''
- name: Export the gateway
  llmops.litellm.gateway_state_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: gateway

- name: Keep it for review
  ansible.builtin.copy:
    content: "{{ gateway.document | to_nice_yaml }}"
    dest: gateway/exported.yml
    mode: "0644"

- name: Export teams and keys as custom resources of the operator
  llmops.litellm.gateway_state_info:
    kinds: [teams, virtual_keys]
    instance_ref: my-gateway
    namespace: litellm
  register: crs
'''

RETURN = r'''
document:
  description: The live objects in the document format of M(llmops.litellm.gateway_state), sorted by natural key.
  returned: always
  type: dict
  sample: {"teams": [{"team_alias": "research", "models": ["gpt-4o"], "max_budget": 100.0}]}
manifests:
  description: The document as custom resources (C(LiteLLMModel), C(LiteLLMTeam) ...); kinds without a custom
    resource (tags, access groups) are left out.
  returned: when O(instance_ref) is set
  type: list
  elements: dict
'''

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.export import export_document, scrub_export
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.live import (
    read_live,
    thread_clients,
    unlicensed_kinds,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.manifests import manifests
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings as settings
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_PLURAL, KINDS


class GatewayStateInfoModule(LiteLLMModule):

    def __init__(self):
        super(GatewayStateInfoModule, self).__init__(dict(
            kinds=dict(type="list", elements="str"),
            name_prefix=dict(type="str"),
            owner=dict(type="str"),
            instance_ref=dict(type="str"),
            namespace=dict(type="str"),
            workers=dict(type="int", default=8),
        ))

    def client_factory(self):
        params = self.params
        return Client(params["api_url"], params["api_key"], timeout=params["timeout"],
                      validate_certs=params["validate_certs"], ca_path=params["ca_path"], check_mode=True)

    def run(self):
        params = self.params
        self.action = "validate the options"
        kinds = params["kinds"] or [r.plural for r in KINDS]
        proxy = settings.PLURAL in kinds
        kinds = [k for k in kinds if k != settings.PLURAL]
        unknown = sorted(set(kinds) - set(BY_PLURAL))
        if unknown:
            raise ValidationError("kinds: unknown kind %s (known: %s)" % (", ".join(unknown), ", ".join(
                list(BY_PLURAL) + [settings.PLURAL])))
        self.action = "read the licence"
        for plural, reason in unlicensed_kinds(self.client, list(kinds)):
            if params["kinds"]:
                raise UnsupportedError(reason)
            kinds.remove(plural)
            self.warn("%s are not exported: %s" % (plural, reason))
        # a key's team is exported by alias; organization members get their emails from the users
        read = set(kinds) | (set(["teams"]) if "virtual_keys" in kinds else set()) | (
            set(["users"]) if "organizations" in kinds else set())
        self.action = "read the live state"
        live = read_live(thread_clients(self.client_factory), [r for r in KINDS if r.plural in read],
                         max(1, params["workers"]))
        document = export_document(live, kinds, params["name_prefix"], params["owner"])
        if proxy:
            self.action = "read the proxy's settings"
            document[settings.PLURAL] = settings.export(self.client)
        secrets = (params["api_key"],)
        result = dict(changed=False, document=scrub_export(document, secrets))
        if params["instance_ref"]:
            result["manifests"] = scrub_export(manifests(document, params["instance_ref"], params["namespace"]),
                                               secrets)
        return result


def main():
    GatewayStateInfoModule().execute()


if __name__ == '__main__':
    main()
