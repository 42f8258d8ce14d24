#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mcp_server
short_description: Manage an MCP server registered with the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an MCP (Model Context Protocol) server that the LiteLLM proxy (AI gateway) stores in
    its database and offers to its clients. Only the registration is written; LiteLLM does not connect to the server
    when it is registered, so the server need not be reachable.
  - The server is found by O(server_id) when it is set, otherwise by O(server_name). LiteLLM keeps names and
    aliases unique, ignoring case.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
  - A server defined in the proxy's config file cannot be changed or deleted through the API; the module fails
    saying so.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  server_name:
    description:
      - Name of the server, its natural key. Required unless O(server_id) is set.
      - With O(server_id) set, a different O(server_name) renames the server.
      - LiteLLM refuses names containing C(-), its separator between server and tool names.
    type: str
  server_id:
    description:
      - ID of the server. LiteLLM generates one when a server is created without it.
    type: str
  alias:
    description:
      - Short name of the server, the prefix of its tools' names. LiteLLM replaces spaces with underscores and
        defaults it to O(server_name). LiteLLM refuses aliases containing C(-).
    type: str
  description:
    description: What the server offers.
    type: str
  transport:
    description:
      - How LiteLLM talks to the server. LiteLLM uses V(sse) when a server is created without it.
      - V(http) and V(sse) need O(url) or O(spec_path); V(stdio) needs O(command) and O(args).
      - V(stdio) needs a proxy started with E(LITELLM_ENABLE_MCP_STDIO=true). The module asks the proxy and fails
        before anything is written (in check mode too) when it was not.
    type: str
    choices: [http, sse, stdio]
  url:
    description: URL of the server, for the V(http) and V(sse) transports.
    type: str
  spec_path:
    description: Path or URL of an OpenAPI specification that LiteLLM turns into an MCP server.
    type: str
  auth_type:
    description:
      - How LiteLLM authenticates to the server; the secret values go in O(credentials).
      - The OAuth 2.0 endpoints that V(oauth2) needs are not offered by this module yet.
    type: str
    choices: [none, api_key, bearer_token, basic, authorization, oauth2, aws_sigv4, token, oauth2_token_exchange,
              oauth2_id_jag, true_passthrough, oauth_delegate]
  credentials:
    description:
      - Credentials for O(auth_type), LiteLLM's C(credentials), for example C(auth_value) (the API key, bearer token
        or basic credentials), C(client_id), C(client_secret) and C(scopes) for OAuth 2.0, or the C(aws_*) keys
        for SigV4.
      - Write-only. LiteLLM never returns them, so they are never compared, returned or shown in a diff. They are
        sent when the server is created and, with O(update_secrets=always), on every run, replacing the stored
        credentials as a whole.
    type: dict
  update_secrets:
    description:
      - V(always) sends O(credentials) on every run that sets them, so the module then reports a change on every
        run. V(on_create) sends them only when the server is created.
      - The default is that of C(awx.awx.credential)'s C(update_secrets=true).
    type: str
    choices: [always, on_create]
    default: always
  allowed_tools:
    description: Tools of the server that LiteLLM offers; empty offers all. Order does not matter.
    type: list
    elements: str
  mcp_access_groups:
    description:
      - MCP access groups the server belongs to; keys and teams given such a group may use the server. Order does
        not matter.
    type: list
    elements: str
  extra_headers:
    description: Names of the client's request headers that LiteLLM forwards to the server. Order does not matter.
    type: list
    elements: str
  static_headers:
    description:
      - Headers LiteLLM sends to the server on every request. LiteLLM returns them to admins, so they are
        compared; their values are never logged by Ansible.
    type: dict
  command:
    description: Command that starts the server, for the V(stdio) transport (LiteLLM allows npx, uvx, python,
      python3, node, docker and deno).
    type: str
  args:
    description: Arguments of O(command), in order, for the V(stdio) transport.
    type: list
    elements: str
  env:
    description:
      - Environment of O(command), for the V(stdio) transport. LiteLLM returns it to admins, so it is compared; its
        values are never logged by Ansible.
    type: dict
  tool_name_to_display_name:
    description: Display names of the server's tools, by tool name.
    type: dict
  tool_name_to_description:
    description: Descriptions of the server's tools that replace the server's own, by tool name.
    type: dict
  instructions:
    description: Instructions LiteLLM gives clients about the server.
    type: str
  allow_all_keys:
    description: Whether every key may use the server, without being given it or one of its access groups.
    type: bool
  available_on_public_internet:
    description: Whether clients from outside the proxy's private networks may use the server.
    type: bool
  server_timeout:
    description:
      - Seconds LiteLLM waits for the server, LiteLLM's C(timeout) (the O(timeout) option is that of this module's
        requests to LiteLLM). Must not be negative.
    type: float
  max_concurrent_requests:
    description: Requests LiteLLM sends to the server at the same time. Must be at least 1.
    type: int
  rpm:
    description: Requests per minute LiteLLM sends to the server. Must not be negative.
    type: int
notes:
  - Teams are given MCP servers from the team's side (its object permissions), not here; the C(teams) key of the
    result lists them.
  - LiteLLM reads one server through C(GET /v1/mcp/server/{server_id}) only together with a health check that
    connects to the server, so the module reads the server list instead.
  - 'Request fields of LiteLLM 1.106.2 (C(NewMCPServerRequest), C(UpdateMCPServerRequest) in
    litellm/proxy/_types.py) not offered: C(mcp_info) (LiteLLM adds keys of its own to it, so it never compares
    equal); C(env_vars) (per-user variables, set by each user); C(oauth2_flow), C(issuer), C(authorization_url),
    C(token_url), C(registration_url), C(token_exchange_endpoint), C(audience), C(subject_token_type),
    C(token_exchange_profile), C(delegate_auth_to_upstream), C(oauth_passthrough), C(dcr_bridge),
    C(per_server_oauth_discovery) (OAuth 2.0 flows, delegation and token exchange: not covered yet, they need an
    authorization server to be tested);
    C(is_byok), C(byok_description), C(byok_api_key_help_url) (bring-your-own-key servers, not covered yet);
    C(source_url) (set by LiteLLM''s connector import); C(approval_status), C(submitted_by), C(submitted_at)
    (set by LiteLLM).'
seealso:
  - module: llmops.litellm.mcp_server_info
  - module: llmops.litellm.access_group
  - name: LiteLLM MCP gateway
    description: LiteLLM's documentation of MCP servers.
    link: https://docs.litellm.ai/docs/mcp
'''

EXAMPLES = r'''
- name: Register a streamable-HTTP MCP server with a bearer token, sent only when it is created
  llmops.litellm.mcp_server:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    server_name: github
    description: GitHub tools
    transport: http
    url: https://api.githubcopilot.com/mcp
    auth_type: bearer_token
    credentials:
      auth_value: "{{ vault_github_token }}"
    update_secrets: on_create
    allowed_tools: [get_issue, list_issues]
    mcp_access_groups: [engineering]

- name: A local stdio server (the proxy must run with LITELLM_ENABLE_MCP_STDIO=true)
  llmops.litellm.mcp_server:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    server_name: filesystem
    transport: stdio
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/shared"]

- name: Remove the server
  llmops.litellm.mcp_server:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    server_name: github
    state: absent
'''

RETURN = r'''
mcp_server:
  description:
    - The server after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options except O(credentials), which is never returned, plus the read-only keys below.
  returned: always
  type: dict
  contains:
    server_id:
      description: ID of the server. V(null) for a server that check mode predicts would be created without O(server_id).
      type: str
      sample: 1d1975fa-78cd-4a18-a9bb-0b8fe4b75f4a
    server_name:
      description: Name of the server.
      type: str
      sample: github
    alias:
      description: Short name of the server.
      type: str
      sample: github
    transport:
      description: How LiteLLM talks to the server.
      type: str
      sample: http
    url:
      description: URL of the server.
      type: str
      sample: https://api.githubcopilot.com/mcp
    teams:
      description: Teams that were given the server, each with C(team_id) and C(team_alias).
      type: list
      elements: dict
      sample: [{"team_id": "0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11", "team_alias": "research"}]
    created_at:
      description: When the server was registered.
      type: str
      sample: "2025-01-01T00:00:00Z"
    updated_at:
      description: When the server was last changed.
      type: str
      sample: "2025-01-01T00:00:00Z"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_server import MCP_SERVER


def main():
    EntityModule(MCP_SERVER).execute()


if __name__ == '__main__':
    main()
