# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Guardrails stored in the proxy's database: provider, modes, parameters, write-only secrets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    LiteLLMError,
    ValidationError,
)
from ansible_collections.llmops.litellm.plugins.module_utils._fields import (
    ListOrString,
    MaskedSecret,
    PartialDict,
)
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
)


# Guardrail options kept in litellm_params, and the keys they own there.
GUARDRAIL_PARAMS = (("provider", "guardrail"), ("mode", "mode"), ("default_on", "default_on"), ("api_base", "api_base"),
                    ("provider_api_key", "api_key"))
# PalenaAI names with no guardrail integration in LiteLLM 1.106.2 (only legacy Enterprise callbacks).
GUARDRAIL_PROVIDER_HINTS = {
    "llm_guard": "LLM Guard is only a legacy Enterprise callback (llmguard_moderations in litellm_settings.callbacks)",
    "llmguard": "LLM Guard is only a legacy Enterprise callback (llmguard_moderations in litellm_settings.callbacks)",
    "google_text_moderation": "Google Text Moderation is only a legacy Enterprise callback (google_text_moderation in "
                              "litellm_settings.callbacks); Google Cloud Model Armor is the guardrail model_armor",
}


def guardrail_body(body, raw):
    """Option-keyed body -> LiteLLM's: the provider options go into litellm_params; a create is wrapped."""
    params = dict(body.pop("litellm_params", None) or {})
    params.update(body.pop("secret_litellm_params", None) or {})
    for option, key in GUARDRAIL_PARAMS:
        if option in body:
            params[key] = body.pop(option)
    body.pop("guardrail_id", None)
    if params:
        body["litellm_params"] = params
    return body if raw else {"guardrail": body}


def guardrail_read_only(raw):
    if raw.get("guardrail_definition_location") == "config":
        return "it is defined in the proxy's config file, and LiteLLM lets the API change only the guardrails it " \
               "stores in its database"
    return None


def guardrail_preflight(client, params):
    """Ask the proxy which guardrail providers and modes it has, before anything is written (check mode too)."""
    provider, modes = params.get("provider"), params.get("mode")
    if params["state"] != "present" or not (provider or modes):
        return
    if provider and "." in provider:
        return  # a custom guardrail class, imported by the proxy
    try:
        settings = client.get("/guardrails/ui/add_guardrail_settings")
    except LiteLLMError as exc:
        if exc.status == 404:
            return
        raise
    by_provider = settings.get("supported_modes_by_provider") or {}
    if provider and provider not in by_provider:
        # LiteLLM 1.106.2 lists some providers (alice, deepkeep, typesafe, ...) only with their parameters
        providers = set(by_provider) | set(client.get("/guardrails/ui/provider_specific_params") or {})
        if provider not in providers:
            hint = GUARDRAIL_PROVIDER_HINTS.get(provider.lower().replace("-", "_").replace(" ", "_"))
            raise ValidationError("this LiteLLM has no guardrail provider '%s'%s (GET /guardrails/ui/add_guardrail_"
                                  "settings and /guardrails/ui/provider_specific_params list %s)" % (
                                      provider, ": " + hint if hint else "", ", ".join(sorted(providers))))
    allowed = by_provider.get(provider) if provider in by_provider else settings.get("supported_modes")
    unsupported = [m for m in modes or [] if allowed and m not in allowed]
    if unsupported:
        raise ValidationError("mode %s is not supported by %s on this LiteLLM (supported: %s)" % (
            ", ".join(unsupported), "guardrail provider '%s'" % provider if provider in by_provider else "any guardrail",
            ", ".join(allowed)))


def _guardrail_export(options, view):
    """The secret keys of a guardrail's litellm_params show (masked) in litellm_params: no placeholder of their own."""
    options.pop("secret_litellm_params", None)


GUARDRAIL = Resource(
    kind="guardrail",
    plural="guardrails",
    id_field="guardrail_id",
    key_field="guardrail_name",
    fields=[
        Field("guardrail_name"),
        Field("guardrail_id"),
        Field("provider", path=("litellm_params", "guardrail")),
        ListOrString("mode", "list", elements="str", path=("litellm_params", "mode")),
        Field("default_on", "bool", path=("litellm_params", "default_on")),
        Field("api_base", path=("litellm_params", "api_base"), format="url"),
        MaskedSecret("provider_api_key", path=("litellm_params", "api_key"), no_log=True),
        PartialDict("litellm_params", path=("litellm_params",), keep_keys=[k for _o, k in GUARDRAIL_PARAMS],
                    secrets_option="secret_litellm_params"),
        Field("secret_litellm_params", "dict", path=("litellm_params",), write_only=True),
        Field("guardrail_info", "dict"),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/guardrails"),
    update=Endpoint("PATCH", "/guardrails/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/guardrails/{id}"),
    get=Endpoint("GET", "/guardrails/{id}/info"),
    find=Endpoint("GET", "/v2/guardrails/list", items="guardrails", paginated=False),
    request_body=guardrail_body,
    read_only=guardrail_read_only,
    preflight=guardrail_preflight,
    required=("provider", "mode"),
    generated_id=True,
    requires=Requires(),
    owner_field="guardrail_info",
    export_options=_guardrail_export,
    export_id=False,
    cr_map=CRMap(name="guardrail_name", status_id=True, required=("provider",),
                 secrets=[CRSecret("apiKeySecretRef", ("provider_api_key",)),
                          CRSecret("secretLitellmParams", ("secret_litellm_params",), each=True)]),
    cr_kind="LiteLLMGuardrail",
)
