#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: agent
short_description: Manage an A2A agent registered with the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an A2A (Agent2Agent) agent that the LiteLLM proxy (AI gateway) stores in its database
    and fronts for its clients at C(/a2a/{agent_id}); its kill switch webhook; and whether it is public.
  - The agent is found by O(agent_id) when it is set, otherwise by O(agent_name).
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
  - An agent defined in the proxy's config file cannot be changed or deleted through the API; the module fails
    saying so.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  agent_name:
    description:
      - Name of the agent, its natural key; LiteLLM keeps it unique. Required unless O(agent_id) is set.
      - With O(agent_id) set, a different O(agent_name) renames the agent.
    type: str
  agent_id:
    description:
      - ID of the agent. LiteLLM chooses it when the agent is created, so it only finds an existing agent.
    type: str
  agent_card_params:
    description:
      - The agent's A2A agent card (C(protocolVersion), C(name), C(description), C(url) of the upstream agent,
        C(version), C(capabilities), C(defaultInputModes), C(defaultOutputModes), C(skills), ...).
      - Only the keys you set are compared, as LiteLLM stores them; LiteLLM fills in the others (a default skill,
        modes, provider). An update sends your keys with the stored card.
      - LiteLLM serves C(protocolVersion) V(0.3) or V(1.0) (C(1.0.0) is stored as C(1.0)) and keeps only
        C(capabilities.streaming=true). C(securitySchemes), C(security), C(supportedInterfaces) and
        C(additionalInterfaces) are LiteLLM's own (clients reach the agent through the proxy) and are refused.
    type: dict
  litellm_params:
    description:
      - How LiteLLM calls the agent, for example C(model) (C(a2a/...)) and C(api_base). Only the keys you set
        are compared; an update sends them with the stored ones.
      - Keys LiteLLM treats as secrets (C(api_key), C(*_token), C(*_secret), ...) are refused here; set them in
        O(secret_litellm_params). C(is_public) and C(make_public) are refused; use O(public).
    type: dict
  secret_litellm_params:
    description:
      - Secret keys of C(litellm_params), for example C(api_key).
      - Write-only. LiteLLM never returns them, so they are never compared, returned or shown in a diff. They are
        sent when the agent is created and, with O(update_secrets=always), on every run; a key left out keeps its
        stored value.
    type: dict
  update_secrets:
    description:
      - V(always) sends O(secret_litellm_params) and the secret of O(kill_switch.auth) on every run that sets them,
        so the module then reports a change on every run. V(on_create) sends them only when the agent is created
        (and the kill switch's secret when its other settings change).
    type: str
    choices: [always, on_create]
    default: always
  public:
    description:
      - Whether the agent is public, listed to everyone in LiteLLM's AI hub (C(public_agent_groups)).
      - LiteLLM makes one agent public with C(POST /v1/agents/{agent_id}/make_public); it has no call that makes one
        agent private, so the module sends the other public agents to C(POST /v1/agents/make_public).
    type: bool
  enabled:
    description: Whether the agent may be called. LiteLLM enables a new agent.
    type: bool
  object_permission:
    description:
      - What the agent may use. Only the keys you set are compared; an update sends them with the stored ones.
    type: dict
    suboptions:
      mcp_servers:
        description: IDs of MCP servers. Order does not matter.
        type: list
        elements: str
      mcp_access_groups:
        description: MCP access groups. Order does not matter.
        type: list
        elements: str
      mcp_tool_permissions:
        description: Tools allowed per MCP server ID.
        type: dict
      models:
        description: Models. Order does not matter.
        type: list
        elements: str
      agents:
        description: IDs of other agents. Order does not matter.
        type: list
        elements: str
  tpm_limit:
    description: Tokens per minute for the agent. Must not be negative.
    type: int
  rpm_limit:
    description: Requests per minute for the agent. Must not be negative.
    type: int
  session_tpm_limit:
    description: Tokens per minute for one session with the agent. Must not be negative.
    type: int
  session_rpm_limit:
    description: Requests per minute for one session with the agent. Must not be negative.
    type: int
  static_headers:
    description:
      - Headers LiteLLM sends to the agent on every request. LiteLLM returns them to admins, so they are
        compared; their values are never logged by Ansible.
    type: dict
  extra_headers:
    description: Names of the client's request headers that LiteLLM forwards to the agent. Order does not matter.
    type: list
    elements: str
  kill_switch:
    description:
      - The webhook that shuts the agent down out of band. An admin fires it with
        C(POST /v1/agents/{agent_id}/kill_switch); LiteLLM only makes the call and does not change the agent.
        This module declares the webhook; it never fires it.
      - The secret of O(kill_switch.auth) is write-only (LiteLLM returns it redacted), so it is never compared or
        returned, is sent when the kill switch is created and with O(update_secrets=always), and is kept when
        only the other settings change.
    type: dict
    suboptions:
      url:
        description: Absolute http(s) URL of the webhook.
        type: str
        required: true
      method:
        description: HTTP method of the call.
        type: str
        choices: [POST, PUT, PATCH, DELETE, GET]
        default: POST
      headers:
        description: Headers of the call; their values are never logged by Ansible.
        type: dict
      query_params:
        description: Query parameters of the call.
        type: dict
      body:
        description: JSON body of the call.
        type: dict
      auth:
        description: How the call authenticates.
        type: dict
        suboptions:
          type:
            description: V(bearer) takes O(kill_switch.auth.token); V(api_key) takes O(kill_switch.auth.api_key)
              and O(kill_switch.auth.header_name); V(basic) takes O(kill_switch.auth.username) and
              O(kill_switch.auth.password).
            type: str
            required: true
            choices: [api_key, basic, bearer]
          token:
            description: Bearer token. Write-only.
            type: str
          api_key:
            description: API key. Write-only.
            type: str
          header_name:
            description: Header that carries O(kill_switch.auth.api_key); LiteLLM uses C(x-api-key) without it.
            type: str
          username:
            description: User name for basic auth.
            type: str
          password:
            description: Password for basic auth. Write-only.
            type: str
notes:
  - 'Request fields of LiteLLM 1.106.2 (C(AgentConfig), C(PatchAgentRequest) in litellm/types/agents.py) not
    offered: C(identity) and C(execution_mode) (a Microsoft Entra managed identity, which needs JWT auth with a
    trusted Entra issuer and Microsoft SSO: not covered yet); C(access_group_ids) (set from the access group''s side,
    M(llmops.litellm.access_group) C(access_agent_ids)).'
seealso:
  - module: llmops.litellm.agent_info
  - module: llmops.litellm.access_group
  - name: LiteLLM A2A agents
    description: LiteLLM's documentation of A2A agents.
    link: https://docs.litellm.ai/docs/a2a
'''

EXAMPLES = r'''
- name: Register an A2A agent, public, with a kill switch
  llmops.litellm.agent:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    agent_name: research-agent
    agent_card_params:
      protocolVersion: "1.0"
      name: Research agent
      description: Finds and summarises papers
      url: http://research-agent.internal:9999/
      skills:
        - id: search
          name: Search papers
          description: Searches the literature
          tags: [research]
    litellm_params:
      model: a2a/research-agent
    secret_litellm_params:
      api_key: "{{ vault_research_agent_key }}"
    update_secrets: on_create
    public: true
    rpm_limit: 60
    kill_switch:
      url: https://ops.internal/agents/research/stop
      auth:
        type: bearer
        token: "{{ vault_kill_switch_token }}"

- name: Make it private again
  llmops.litellm.agent:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    agent_name: research-agent
    public: false

- name: Remove the agent
  llmops.litellm.agent:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    agent_name: research-agent
    state: absent
'''

RETURN = r'''
agent:
  description:
    - The agent after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options except O(secret_litellm_params) and the secret of O(kill_switch.auth), which are
      never returned, plus the read-only keys below.
  returned: always
  type: dict
  contains:
    agent_id:
      description: ID of the agent. V(null) for an agent that check mode predicts would be created.
      type: str
      sample: 37cf7bc3-566b-44d7-99ce-1a13b7417198
    agent_name:
      description: Name of the agent.
      type: str
      sample: research-agent
    agent_card_params:
      description: The agent card as LiteLLM stores it, with the keys LiteLLM adds.
      type: dict
      sample: {"name": "Research agent", "protocolVersion": "1.0", "url": "http://research-agent.internal:9999/"}
    public:
      description: Whether the agent is public.
      type: bool
      sample: true
    spend:
      description: What the agent has cost.
      type: float
      sample: 0.0
    created_at:
      description: When the agent was registered.
      type: str
      sample: "2025-01-01T00:00:00Z"
    created_by:
      description: Who registered the agent.
      type: str
      sample: default_user_id
    updated_at:
      description: When the agent was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_by:
      description: Who last changed the agent.
      type: str
      sample: default_user_id
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import AGENT


def main():
    EntityModule(AGENT).execute()


if __name__ == '__main__':
    main()
