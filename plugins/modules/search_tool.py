#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: search_tool
short_description: Manage a search tool of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete a search tool, a search provider (Tavily, Perplexity, Exa, Brave, ...) registered with
    the LiteLLM proxy (AI gateway) under a name, which clients then call through the proxy's C(/search) endpoint.
  - The search tool is found by O(search_tool_id) when it is set, otherwise by O(search_tool_name).
  - Registering a search tool does not call the provider.
  - LiteLLM replaces the whole search tool with what an update sends, so an update sends every option you set, and a
    search tool that has an O(provider_api_key) can only be changed with its O(provider_api_key) set (LiteLLM never
    returns it).
  - Only the options you set are compared; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
options:
  search_tool_name:
    description:
      - Name of the search tool, its natural key; clients name it in their search requests. Required unless
        O(search_tool_id) is set.
      - With O(search_tool_id) set, a different O(search_tool_name) renames the search tool.
    type: str
  search_tool_id:
    description:
      - ID of the search tool. LiteLLM chooses it when the search tool is created, so it only finds an existing one.
    type: str
  search_provider:
    description:
      - The search provider, as LiteLLM names it (V(tavily), V(perplexity), V(exa_ai), V(brave), V(google_pse),
        V(parallel_ai), V(firecrawl), V(searxng), V(dataforseo), ...). Required to create a search tool.
    type: str
  provider_api_key:
    description:
      - The provider's API key (C(litellm_params.api_key) in LiteLLM; O(api_key) is the proxy's key).
      - Write-only; LiteLLM keeps it encrypted and answers it masked, so it is never compared (see
        O(update_secrets)), never returned and never shown in a diff.
      - An C(os.environ/NAME) reference (LiteLLM reads the key from its own environment) is no secret, and is compared.
    type: str
  api_base:
    description: The provider's base URL, for a self-hosted provider or a proxy in front of it.
    type: str
  provider_timeout:
    description:
      - Timeout of a search request to the provider, in seconds (C(litellm_params.timeout) in LiteLLM; O(timeout) is
        the one of this module's requests to the proxy).
    type: float
  max_retries:
    description: How many times LiteLLM retries a failed search request.
    type: int
  search_tool_info:
    description:
      - Free-form information about the search tool, such as C(description), as a mapping; compared whole.
    type: dict
  update_secrets:
    description:
      - V(always) sends O(provider_api_key) on every run that sets a literal one, and reports a change (LiteLLM never
        returns it to compare); V(on_create) sends it only when the search tool is created, or with another change.
    type: str
    choices: [always, on_create]
    default: always
seealso:
  - module: llmops.litellm.search_tool_info
  - name: LiteLLM search tools
    description: LiteLLM's documentation of search tools.
    link: https://docs.litellm.ai/docs/search
'''

EXAMPLES = r'''
- name: A Tavily search tool, its key read by LiteLLM from its environment
  llmops.litellm.search_tool:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    search_tool_name: web-search
    search_provider: tavily
    provider_api_key: os.environ/TAVILY_API_KEY
    search_tool_info:
      description: Web search for the support bots

- name: Remove it
  llmops.litellm.search_tool:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    search_tool_name: web-search
    state: absent
'''

RETURN = r'''
search_tool:
  description:
    - The search tool after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options (without O(provider_api_key) unless it is an C(os.environ/) reference, shown masked as
      LiteLLM shows it) plus the read-only keys below.
  returned: always
  type: dict
  contains:
    search_tool_id:
      description: ID of the search tool. V(null) for a search tool that check mode predicts would be created.
      type: str
      sample: 123e4567-e89b-12d3-a456-426614174000
    search_tool_name:
      description: Name of the search tool.
      type: str
      sample: web-search
    search_provider:
      description: The search provider.
      type: str
      sample: tavily
    created_at:
      description: When the search tool was created.
      type: str
      sample: "2025-01-01T00:00:00+00:00"
    updated_at:
      description: When the search tool was last changed.
      type: str
      sample: "2025-01-01T00:00:00+00:00"
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.search_tool import SEARCH_TOOL


def main():
    EntityModule(SEARCH_TOOL).execute()


if __name__ == '__main__':
    main()
