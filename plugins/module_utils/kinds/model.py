# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Models (deployments) in the proxy's database: litellm_params, the provider key, references, access groups."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import uuid

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires, since
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRRef, CRRule, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import (
    MergedDict,
    is_env_reference,
)
from ansible_collections.llmops.litellm.plugins.module_utils._formats import format_problem
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Cascade,
    Endpoint,
    Field,
    Names,
    Resource,
    get_path,
    prune,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


# Where the model module records the os.environ/NAME references it writes into litellm_params: LiteLLM answers
# with litellm_params as its router holds them, references resolved (and secrets dropped or masked), so a
# reference could not be compared otherwise.
MODEL_REFERENCES = "llmops_references"
# litellm_params keys LiteLLM drops from every answer (remove_sensitive_info_from_deployment), and the name
# segments for which it masks a value (SensitiveDataMasker's default patterns, unless a segment is "cost"), in
# litellm/proxy/common_utils/openai_endpoint_utils.py and litellm/litellm_core_utils/sensitive_data_masker.py.
MODEL_DROPPED_PARAMS = ("api_key", "client_secret", "vertex_credentials", "vertex_ai_credentials", "aws_access_key_id",
                        "aws_secret_access_key")
MODEL_MASKED_SEGMENTS = frozenset(("password", "secret", "key", "token", "auth", "authorization", "cookie",
                                   "credential", "credentials", "access", "private", "certificate", "fingerprint",
                                   "tenancy"))
MODEL_SHOWN_PARAMS = ("litellm_credential_name", "default_api_key_tpm_limit", "default_api_key_rpm_limit")
# litellm_params keys set with options of their own: key -> option (api_key is the connection's own option name).
MODEL_PARAM_OPTIONS = {"api_key": "provider_api_key", "tags": "tags"}
# litellm_params and model_info keys a LiteLLM older than the release that added them stores and ignores (a model
# limited to rpd requests a day would not be limited): refused there (GenericLiteLLMParams and ModelInfo of each
# release on PyPI; 1.107.x is not on PyPI).
MODEL_PARAMS_SINCE = {"rpd": since("1.109.0"), "tpd": since("1.109.0"), "daily_reset_time": since("1.109.0")}
MODEL_INFO_SINCE = {"enforce_supported_endpoints": since("1.109.0"), "max_embedding_batch_size": since("1.109.0"),
                    "pricing_provider": since("1.109.0"), "ptu_shares": since("1.108.0")}


def model_param_hidden(key):
    """Whether LiteLLM hides (drops or masks) the litellm_params key ``key`` in its answers."""
    if key in MODEL_SHOWN_PARAMS:
        return False
    segments = key.lower().replace("-", "_").split("_")
    return key in MODEL_DROPPED_PARAMS or ("cost" not in segments and bool(MODEL_MASKED_SEGMENTS.intersection(segments)))


def model_references(raw):
    """The os.environ/ references the module recorded for a model: litellm_params key -> reference."""
    references = get_path(raw, ("model_info", MODEL_REFERENCES))
    return references if isinstance(references, dict) else {}


class ModelParams(MergedDict):
    """A model's litellm_params: keys the user sets are compared and sent (LiteLLM merges them into the stored
    ones); a value that is an os.environ/ reference is compared with the reference the module recorded, since
    LiteLLM answers with it resolved. Keys LiteLLM hides belong in api_key and secret_litellm_params."""

    def __init__(self):
        super(ModelParams, self).__init__("litellm_params", keep_keys=("api_key", "tags"), key_requires=MODEL_PARAMS_SINCE)

    def read(self, raw):
        live = dict(get_path(raw, self.path) or {})
        live.update(model_references(raw))
        return prune(dict((k, v) for k, v in live.items()
                          if k not in self.keep_keys and not model_param_hidden(k))) or None

    def validate(self, value):
        problem = format_problem("url", value.get("api_base"))
        if problem:
            raise ValidationError("litellm_params.api_base %s" % problem)
        for key in sorted(value):
            if key in self.keep_keys:
                raise ValidationError("litellm_params must not set %s: set it with the %s option" % (
                    key, MODEL_PARAM_OPTIONS[key]))
            if model_param_hidden(key):
                raise ValidationError("litellm_params.%s is a secret LiteLLM never returns: set it in "
                                      "secret_litellm_params (write-only, never logged)" % key)


class ModelSecret(Field):
    """A model's provider API key (litellm_params.api_key): a literal key is write-only; an os.environ/NAME
    reference is no secret, and is compared with the reference the module recorded when it wrote it."""

    has_secrets = True

    def __init__(self, name, param):
        super(ModelSecret, self).__init__(name, no_log=True)
        self.param = param

    def read(self, raw):
        return model_references(raw).get(self.param)

    def public(self, value):
        return value if is_env_reference(value) else None

    def secret(self, value):
        return None if is_env_reference(value) else value


class ModelSecretParams(MergedDict):
    """litellm_params keys LiteLLM hides (aws_secret_access_key, vertex_credentials, ...): literal values are
    write-only; os.environ/NAME references are compared with the ones the module recorded."""

    has_secrets = True

    def __init__(self):
        super(ModelSecretParams, self).__init__("secret_litellm_params", no_log=True)

    def read(self, raw):
        return dict((k, v) for k, v in model_references(raw).items() if k != "api_key" and model_param_hidden(k)) or None

    def public(self, value):
        return dict((k, v) for k, v in value.items() if is_env_reference(v)) or None

    def secret(self, value):
        return dict((k, v) for k, v in value.items() if not is_env_reference(v)) or None

    def validate(self, value):
        for key in sorted(value):
            if key == "api_key":
                raise ValidationError("secret_litellm_params must not set api_key: set it with the provider_api_key "
                                      "option")
            if not model_param_hidden(key):
                raise ValidationError("secret_litellm_params.%s is not a secret LiteLLM hides: set it in "
                                      "litellm_params, where it is compared" % key)


def _model_body(body, raw):
    """Option-keyed body -> LiteLLM's Deployment: params into litellm_params, the id and access groups into
    model_info, with the record of the references written; an update names the model_info it changes by id
    (LiteLLM would otherwise give it a new random one)."""
    params = dict(body.pop("litellm_params", None) or {})
    params.update(body.pop("secret_litellm_params", None) or {})
    for key, option in MODEL_PARAM_OPTIONS.items():
        if option in body:
            params[key] = body.pop(option)
    info = dict(body.pop("model_info", None) or {})
    if "access_groups" in body:
        info["access_groups"] = body.pop("access_groups")
    model_id = body.pop("model_id", None)
    live = model_references(raw)
    references = dict((k, v) for k, v in live.items() if k not in params)
    references.update((k, v) for k, v in params.items() if is_env_reference(v))
    if references != live:
        info[MODEL_REFERENCES] = references
    if params:
        body["litellm_params"] = params
    if model_id and (info or not raw):
        info["id"] = model_id
    if info:
        body["model_info"] = info
    return body


# model_info keys LiteLLM fills in from its cost map in every answer (costs, token limits, capabilities): not
# exported, since they are LiteLLM's and not the user's (leaving a key out of a MergedDict never changes anything).
MODEL_INFO_DERIVED = re.compile(r"^(key|litellm_provider|mode|source|comment|metadata|deprecation_date|tpm|rpm|"
                                r"member_auto_router|pricing_overrides|output_vector_size|tiered_pricing|"
                                r"off_peak_pricing|provider_specific_entry|thinking_always_on|"
                                r"default_reasoning_effort|reasoning_effort_levels|search_free_requests)$|"
                                r"^supports?_|^supported_|cost|^max_\w*tokens$|^token_count_|^regional_|"
                                r"^uses?_|^prompt_cache_|^bedrock_|^gemini_|^vertex_ai_|^web_search_|^audio_")


def _model_export(options, view):
    """An exported model: without the model_info keys of LiteLLM's cost map, and without a provider key
    placeholder when the model takes its key from a credential."""
    info = dict((k, v) for k, v in (options.get("model_info") or {}).items() if not MODEL_INFO_DERIVED.search(k))
    if info:
        options["model_info"] = info
    else:
        options.pop("model_info", None)
    if get_path(view, ("litellm_params", "litellm_credential_name")) and view.get("provider_api_key") is None:
        options.pop("provider_api_key", None)


def _model_read_only(raw):
    if get_path(raw, ("model_info", "db_model")) is False:
        return "it is defined in the proxy's config file (model_list), and LiteLLM lets the API change only the " \
               "models it stores in its database"
    return None


def _model_shape(raw):
    """A deployment with its id and provider model at the top, where the engine looks for them."""
    return dict(raw, model_id=get_path(raw, ("model_info", "id")), model=get_path(raw, ("litellm_params", "model")))


def _model_key_filters(params):
    """Deployments of one model_name are told apart by their provider model, when the task gives it."""
    model = (params.get("litellm_params") or {}).get("model")
    return {"model": model} if model else {}


# The namespace of the ids the operator gives models (uuid5 of "<namespace>/<name>", as Ansible's to_uuid).
MODEL_ID_NAMESPACE = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


def _model_from_spec(spec, name, options, origins):
    """A model's id: modelId, else the one LiteLLM has (status.litellmId), else one derived from the resource's
    namespace and name (stable across runs, so that a retry finds the model it created)."""
    params = spec.get("litellmParams") or {}
    if params.get("credentialRef") is not None and params.get("apiKeySecretRef") is not None:
        return "spec.litellmParams.credentialRef: cannot be combined with apiKeySecretRef (the credential holds the key)"
    if "apiKey" in params or "api_key" in params:
        return "spec.litellmParams.apiKey: a provider key is a secret; use apiKeySecretRef or credentialRef"
    if not options.get("model_id"):
        options["model_id"] = str(uuid.uuid5(MODEL_ID_NAMESPACE, name))
    return None


MODEL = Resource(
    kind="model",
    plural="models",
    id_field="model_id",
    key_field="model_name",
    fields=[
        Field("model_name"),
        Field("model_id"),
        ModelParams(),
        ModelSecret("provider_api_key", "api_key"),
        ModelSecretParams(),
        MergedDict("model_info", keep_keys=("id", "access_groups", "blocked", "db_model", MODEL_REFERENCES),
                   key_requires=MODEL_INFO_SINCE),
        Field("tags", "list", elements="str", path=("litellm_params", "tags")),
        Field("access_groups", "list", elements="str", path=("model_info", "access_groups")),
        Field("blocked", "bool", path=("model_info", "blocked")),
    ],
    create=Endpoint("POST", "/model/new"),
    update=Endpoint("PATCH", "/model/{id}/update", idempotent=True),
    delete=Endpoint("POST", "/model/delete", body=lambda model_id: {"id": model_id}),
    get=None,  # /v2/model/info?modelId= reads one deployment: the list with a filter (below)
    find=Endpoint("GET", "/v2/model/info", items="data", filters={"model_name": "model", "model_id": "modelId"},
                  page_size="size"),
    request_body=_model_body,
    read_only=_model_read_only,
    required=("model_name", "litellm_params.model"),
    requires=Requires(settings=("store_model_in_db",)),
    shape=_model_shape,
    key_filters=_model_key_filters,
    unique_key=False,
    named_parents=[(CREDENTIAL, ("litellm_params", "litellm_credential_name"))],
    names=[Names(("litellm_params", "litellm_credential_name"), CREDENTIAL, ("credential_name",))],
    owner_field="model_info",
    export_options=_model_export,
    cr_map=CRMap(name="model_name", name_default=None, camel_keys=("litellm_params", "model_info"),
                 required=("modelName", "litellmParams.model"),
                 refs=[CRRef("credentialRef", "litellm_params.litellm_credential_name", CREDENTIAL, within="litellmParams")],
                 secrets=[CRSecret("litellmParams.apiKeySecretRef", ("provider_api_key",)),
                          CRSecret("secretLitellmParams", ("secret_litellm_params",), each=True)],
                 rules=[CRRule((), ("model_id",), _model_from_spec)]),
    cr_kind="LiteLLMModel",
    # DELETE /credentials leaves the models that use the credential naming it (they fail on every request);
    # /team/delete deletes the team's own (BYOK) models
    cascaded_by=[Cascade(CREDENTIAL, ("litellm_params", "litellm_credential_name"),
                         "left naming a credential that no longer exists, so its requests fail"),
                 Cascade(TEAM, ("model_info", "team_id"), "deleted")],
)
