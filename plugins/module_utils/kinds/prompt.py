# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Managed prompts (``/prompts``): a prompt template that requests name by its id, kept by LiteLLM per environment.

LiteLLM keeps versions of a prompt in each environment (development, staging, production, or any other name): the
create makes version 1, and every update (its PUT) makes the next version, leaving the earlier ones. One object of
this kind is therefore a prompt in one environment, found by its ``prompt_id`` and ``environment``; its state is its
latest version, and a change is a new version, made only when a declared option differs. LiteLLM's list leaves the
version number out: it is read with the object (one GET), not in the gateway engine's bulk read.

The engine's id is ``prompt_id::environment`` (LiteLLM's own registry key), since one prompt id names one object in
each environment; the path of an update or a deletion names the prompt_id, and a deletion's ``environment`` query
parameter keeps it to that environment (without it LiteLLM deletes the prompt in every environment).

LiteLLM reads a ``.v`` or ``_v`` in a prompt id as a version suffix (``my_vault`` would be read back as ``my``):
such an id is refused before anything is written. None of the endpoints needs an Enterprise licence (1.106.2 and
1.110.2 check no premium user on them).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import quote

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
    config_owned,
    prune,
)

DEFAULT_ENVIRONMENT = "development"  # LiteLLM's DEFAULT_PROMPT_ENVIRONMENT
INTEGRATIONS = ("dotprompt", "langfuse", "custom", "bitbucket", "gitlab", "generic_prompt_management",
                "arize_phoenix")
# The options LiteLLM keeps in a prompt's litellm_params (PromptLiteLLMParams, litellm/types/prompts/init_prompts.py)
# and the key of each there (api_key is the connection's option: the integration's is provider_api_key).
PROMPT_PARAMS = {"prompt_integration": "prompt_integration", "dotprompt_content": "dotprompt_content",
                 "api_base": "api_base", "provider_api_key": "api_key",
                 "provider_specific_query_params": "provider_specific_query_params",
                 "ignore_prompt_manager_model": "ignore_prompt_manager_model",
                 "ignore_prompt_manager_optional_params": "ignore_prompt_manager_optional_params"}
VERSION_MARKS = (".v", "_v")  # litellm/proxy/prompts/prompt_registry.py get_base_prompt_id


def prompt_ref(prompt_id, environment):
    """The engine's id of a prompt in an environment."""
    return "%s::%s" % (prompt_id, environment or DEFAULT_ENVIRONMENT)


def _shape(raw):
    """The engine's id and the environment; the prompt id without the version suffix of a create's answer."""
    environment = raw.get("environment") or (raw.get("prompt_info") or {}).get("environment") or DEFAULT_ENVIRONMENT
    prompt_id, suffix = raw.get("prompt_id") or "", ".v%s" % raw.get("version")
    if raw.get("version") is not None and prompt_id.endswith(suffix):
        prompt_id = prompt_id[:-len(suffix)]
    return dict(raw, prompt_id=prompt_id, environment=environment, prompt_ref=prompt_ref(prompt_id, environment))


def _key_filters(params):
    return {"environment": params.get("environment") or DEFAULT_ENVIRONMENT}


def _versioned(client, found):
    """The prompts with their version number, which LiteLLM's list leaves out (one read each)."""
    return [dict(raw, version=(client.get("/prompts/%s" % quote(raw["prompt_id"], safe=""), params={
        "environment": raw["environment"]}).get("prompt_spec") or {}).get("version")) for raw in found]


def _listed(client, found):
    """The gateway engine's bulk read: the list as it is (the version is no option; no read per prompt)."""
    return found


def prompt_body(body, raw):
    """Option-keyed body -> LiteLLM's Prompt (prompt_id, litellm_params, prompt_info). Its PUT replaces the whole
    prompt with a new version, so an update starts from the live version's parameters and information."""
    body.pop("prompt_ref", None)
    live = raw or {}
    params = dict((k, v) for k, v in (live.get("litellm_params") or {}).items() if v is not None)
    params.update((param, body.pop(option)) for option, param in PROMPT_PARAMS.items() if option in body)
    prompt_id = body.pop("prompt_id", None) or live.get("prompt_id")
    environment = body.pop("environment", None) or live.get("environment") or DEFAULT_ENVIRONMENT
    params.setdefault("prompt_integration", "dotprompt")
    params["prompt_id"] = prompt_id
    info = dict(live.get("prompt_info") or {}, prompt_type="db", environment=environment)
    return dict(body, prompt_id=prompt_id, litellm_params=prune(params), prompt_info=info)


def no_version_mark(desired):
    found = [mark for mark in VERSION_MARKS if mark in (desired.get("prompt_id") or "")]
    if found:
        return "prompt_id '%s' must not contain '%s': LiteLLM reads what follows it as a version number, and would " \
               "keep the prompt as '%s'" % (desired["prompt_id"], found[0], desired["prompt_id"].split(found[0])[0])
    return None


def prompt_read_only(raw):
    if (raw.get("prompt_info") or {}).get("prompt_type") == "config":
        return config_owned("prompts", "prompts")
    return None


def _param(name, *args, **kwargs):
    return Field(name, *args, path=("litellm_params", PROMPT_PARAMS[name]), **kwargs)


PROMPT = Resource(
    kind="prompt",
    plural="prompts",
    id_field="prompt_ref",
    key_field="prompt_id",
    fields=[
        Field("prompt_id"),
        Field("environment", format="name"),
        _param("prompt_integration", choices=INTEGRATIONS),
        _param("dotprompt_content"),
        _param("api_base", format="url"),
        _param("provider_api_key", write_only=True),
        _param("provider_specific_query_params", "dict"),
        _param("ignore_prompt_manager_model", "bool"),
        _param("ignore_prompt_manager_optional_params", "bool"),
        Field("prompt_ref", option=False),
        Field("version", "int", option=False),
        Field("prompt_type", path=("prompt_info", "prompt_type"), option=False),
        Field("created_by", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/prompts"),
    # a new version (LiteLLM's PUT replaces the whole prompt); the deletion of every version of the environment
    update=Endpoint("PUT", "/prompts/{prompt_id}"),
    delete=Endpoint("DELETE", "/prompts/{prompt_id}", object_query={"environment": "environment"}),
    get=None,
    # the latest version of each prompt in each environment (those of the config file too, refused as read-only)
    find=Endpoint("GET", "/prompts/list", items="prompts", paginated=False, filters={"environment": "environment"}),
    shape=_shape,
    key_filters=_key_filters,
    hydrate=_versioned,
    bulk_join=_listed,
    request_body=prompt_body,
    read_only=prompt_read_only,
    replaces=True,
    rules=(no_version_mark,),
    requires=Requires(),
    export_id=False,
    # playbooks/operator/prompt.yml: promptId (with its environment) is the natural key; providerApiKeySecretRef
    # is the write-only provider_api_key
    cr_map=CRMap(name="prompt_id", name_default=None, required=("promptId",),
                 secrets=[CRSecret("providerApiKeySecretRef", ("provider_api_key",))]),
    cr_kind="LiteLLMPrompt",
)
