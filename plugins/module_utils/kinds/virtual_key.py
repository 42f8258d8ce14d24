# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virtual keys: budgets, limits, models, metadata, routes; a team and an organization by alias in documents."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import ENTERPRISE_OPTION, Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import MODEL_BUDGETS, CRMap, CRRef, CRRule
from ansible_collections.llmops.litellm.plugins.module_utils._fields import LITELLM_METADATA_KEYS
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Cascade,
    Endpoint,
    Field,
    Names,
    Reference,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER


def _key_info(answer):
    """/key/info's answer as a key object with its token; None for a deleted key (LiteLLM still answers for it)."""
    info = answer.get("info") or {}
    return None if info.get("status") == "deleted" else dict(info, token=answer.get("key"))


def _key_details(client, keys):
    """/key/list leaves out what /key/info joins in (the soft budget, the organization): read each key there."""
    reader = VIRTUAL_KEY.get
    return [k for k in (_key_info(client.get(reader.path, params={reader.param: key["token"]})) for key in keys) if k]


def _key_join(client, keys):
    """/key/list with full objects has all a key's options but names its organization org_id."""
    return [dict(k, organization_id=k.get("organization_id") or k.get("org_id")) for k in keys]


def _key_body(body, raw):
    """/key/update names the key by its hashed token in ``key``."""
    if raw:
        body["key"] = body.pop("token")
    return body


KEY_TYPES = ("default", "llm_api", "management", "read_only")
LIMIT_TYPES = ("guaranteed_throughput", "best_effort_throughput", "dynamic")


def _no_auto_rotate(spec, _name, _options, _origins):
    if spec.get("autoRotate"):
        return ("spec.autoRotate: LiteLLM would rotate the key to values the operator never sees; set rotationPeriod, "
                "or delete the key's Secret to rotate the key")
    return None


VIRTUAL_KEY = Resource(
    kind="virtual_key",
    plural="virtual_keys",
    id_field="token",
    key_field="key_alias",
    fields=[
        Field("key_alias", no_log=False),
        Field("token", no_log=True),
        Field("team_id"),
        Field("user_id"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0, path=("litellm_budget_table", "soft_budget")),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("model_max_budget", "dict", requires=ENTERPRISE_OPTION),
        Field("model_rpm_limit", "dict", minimum=0, path=("metadata", "model_rpm_limit")),
        Field("model_tpm_limit", "dict", minimum=0, path=("metadata", "model_tpm_limit")),
        Field("rpm_limit_type", choices=LIMIT_TYPES, path=("metadata", "rpm_limit_type")),
        Field("tpm_limit_type", choices=LIMIT_TYPES, path=("metadata", "tpm_limit_type")),
        Field("tags", "list", elements="str", path=("metadata", "tags"), requires=ENTERPRISE_OPTION),
        Field("guardrails", "list", elements="str", path=("metadata", "guardrails"), requires=ENTERPRISE_OPTION),
        Field("enforced_params", "list", elements="str", path=("metadata", "enforced_params")),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("aliases", "dict"),
        Field("permissions", "dict"),
        Field("allowed_routes", "list", elements="str"),
        Field("allowed_passthrough_routes", "list", elements="str", path=("metadata", "allowed_passthrough_routes"),
              no_log=False, requires=ENTERPRISE_OPTION),
        Field("denied_passthrough_routes", "list", elements="str", path=("metadata", "denied_passthrough_routes"),
              no_log=False, requires=ENTERPRISE_OPTION),
        Field("blocked", "bool"),
        Field("auto_rotate", "bool"),
        Field("rotation_interval"),
        Field("duration", create_only=True),
        Field("key_type", choices=KEY_TYPES, create_only=True),
        Field("expires", option=False),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/key/generate"),
    update=Endpoint("POST", "/key/update", idempotent=True),
    delete=Endpoint("POST", "/key/delete", body=lambda token: {"keys": [token]}),
    get=Endpoint("GET", "/key/info", param="key", unwrap=_key_info),
    find=Endpoint("GET", "/key/list", items="keys", page_size="size", query={"return_full_object": "true"},
                  filters={"key_alias": "key_alias", "team_id": "team_id", "user_id": "user_id"}),
    request_body=_key_body,
    hydrate=_key_details,
    requires=Requires(),
    list_order="token",
    references=[Reference("team_alias", TEAM, "team_id"),
                Reference("organization_alias", ORGANIZATION, "organization_id")],
    mutually_exclusive=[("team_id", "team_alias"), ("organization_id", "organization_alias")],
    names=[Names(("team_id",), TEAM, ("team_id",))],
    # a new key's value goes to a key file, or is declared (``key``) by a caller that kept it first (the operator's
    # Secret); a rotation is a one-off act, not a state
    refused=["return_key", "regenerate"],
    document_options={"key_file": dict(type="path"), "key": dict(type="str", no_log=True)},
    owner_field="metadata",
    export_id=False,
    bulk_join=_key_join,  # /key/list with full objects: no read per key
    cr_map=CRMap(name="key_alias",
                 refs=[CRRef("teamRef", "team_alias", TEAM), CRRef("organizationRef", "organization_alias", ORGANIZATION),
                       CRRef("userRef", "user_id", USER, by="id")],
                 # the key's value and its rotation are the operator's (the {name}-key Secret)
                 operator=("keySecretName", "keyValueSecretRef", "rotationPeriod", "gracePeriod"),
                 rules=[MODEL_BUDGETS, CRRule(("autoRotate",), (), _no_auto_rotate)]),
    cr_kind="LiteLLMVirtualKey",
    # /team/delete, /user/delete and /organization/delete delete the keys of the team, user or organization;
    # /budget/delete leaves a key that used the budget without it (its foreign key is ON DELETE SET NULL)
    cascaded_by=[Cascade(TEAM, ("team_id",), "deleted"), Cascade(USER, ("user_id",), "deleted"),
                 Cascade(ORGANIZATION, ("organization_id",), "deleted"),
                 Cascade(BUDGET, ("budget_id",), "left without its budget: LiteLLM unsets its budget_id")],
)
# Rotating a key's value: LiteLLM's regenerate endpoint keeps the key's settings and spend (Enterprise only).
ROTATE_KEY = Requires(paths=("POST /key/{key}/regenerate",), enterprise=True, what="rotating a virtual key")
