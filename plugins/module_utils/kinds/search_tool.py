# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Search tools: a search provider (Tavily, Perplexity, Exa, ...) registered with the proxy under a name, which
clients then call through /search; its API key write-only."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import MaskedSecret
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
    config_owned,
    prune,
)

# The options LiteLLM keeps in a search tool's litellm_params (SearchToolLiteLLMParams, litellm/types/search.py),
# and the key of each there (api_key and timeout are the connection's options: the provider's are provider_api_key,
# as a model's, and provider_timeout).
SEARCH_TOOL_PARAMS = {"search_provider": "search_provider", "provider_api_key": "api_key", "api_base": "api_base",
                      "provider_timeout": "timeout", "max_retries": "max_retries"}


def _param(name, *args, **kwargs):
    return Field(name, *args, path=("litellm_params", SEARCH_TOOL_PARAMS[name]), **kwargs)


def search_tool_body(body, raw):
    """Option-keyed body -> ``{"search_tool": ...}``. LiteLLM's PUT replaces the whole tool with what it is sent, so
    an update starts from the live tool; its API key, which LiteLLM answers masked, cannot be sent back: an update
    of a tool that has one needs it declared."""
    body.pop("search_tool_id", None)
    tool, params = {}, {}
    if raw:
        live = raw.get("litellm_params") or {}
        if live.get("api_key") and "provider_api_key" not in body:
            raise ValidationError("provider_api_key must be set to change it: LiteLLM drops the stored one on any "
                                  "update that does not send it again, and never returns it")
        params = dict((k, v) for k, v in live.items() if k in SEARCH_TOOL_PARAMS.values() and k != "api_key")
        tool = dict(search_tool_name=raw.get("search_tool_name"), search_tool_info=raw.get("search_tool_info"))
    params.update((param, body.pop(option)) for option, param in SEARCH_TOOL_PARAMS.items() if option in body)
    tool.update(body)
    tool["litellm_params"] = params
    return {"search_tool": prune(tool)}


def search_tool_read_only(raw):
    if raw.get("is_from_config"):
        return config_owned("search_tools", "search tools")
    return None


SEARCH_TOOL = Resource(
    kind="search_tool",
    plural="search_tools",
    id_field="search_tool_id",
    key_field="search_tool_name",
    fields=[
        Field("search_tool_name"),
        Field("search_tool_id"),
        _param("search_provider"),
        MaskedSecret("provider_api_key", path=("litellm_params", "api_key"), no_log=True),
        _param("api_base", format="url"),
        _param("provider_timeout", "float", minimum=0),
        _param("max_retries", "int", minimum=0),
        Field("search_tool_info", "dict"),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/search_tools"),
    update=Endpoint("PUT", "/search_tools/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/search_tools/{id}"),
    get=Endpoint("GET", "/search_tools/{id}"),
    find=Endpoint("GET", "/search_tools/list", items="search_tools", paginated=False),
    request_body=search_tool_body,
    read_only=search_tool_read_only,
    replaces=True,
    required=("search_provider",),
    generated_id=True,
    requires=Requires(),
    export_id=False,
    # playbooks/operator/search_tool.yml: searchToolInfo as written; search_tool_id is the status.litellmId of an
    # earlier run; providerApiKeySecretRef is the write-only provider_api_key (providerApiKey an os.environ/ one)
    cr_map=CRMap(name="search_tool_name", name_default=None, status_id=True,
                 required=("searchToolName", "searchProvider"),
                 secrets=[CRSecret("providerApiKeySecretRef", ("provider_api_key",))]),
    cr_kind="LiteLLMSearchTool",
)
