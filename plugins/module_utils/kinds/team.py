# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Teams: budgets, limits, members with roles, per-model limits; an organization by alias in documents."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import ENTERPRISE_OPTION, since
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import (
    MODEL_BUDGETS,
    model_budgets,
    MONTHLY_BUDGET,
    CRMap,
    CRRef,
    members_rule,
)
from ansible_collections.llmops.litellm.plugins.module_utils._fields import LITELLM_METADATA_KEYS
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Cascade,
    Endpoint,
    Field,
    Members,
    Reference,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import join_budgets
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION


def _default_models_in_models(desired):
    """LiteLLM's documented rule: the models new members get are models of the team (an empty list: all of them)."""
    default, models = desired.get("default_team_member_models"), desired.get("models")
    outside = sorted(set(default or []) - set(models)) if models else []
    if outside:
        return "default_team_member_models must be a subset of models: %s %s not in models" % (
            ", ".join(outside), "is" if len(outside) == 1 else "are")
    return None


def _team_member_budgets(client, teams):
    """List results lack the per-member default budget /team/info joins in: join it from the budgets' list."""
    return join_budgets(client, teams, ("metadata", "team_member_budget_id"), "team_member_budget_table")


TEAM = Resource(
    kind="team",
    plural="teams",
    id_field="team_id",
    key_field="team_alias",
    fields=[
        Field("team_alias"),
        Field("team_id"),
        Field("organization_id"),
        Field("models", "list", elements="str"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("blocked", "bool"),
        Field("model_aliases", "dict", path=("litellm_model_table", "model_aliases")),
        Field("tags", "list", elements="str", path=("metadata", "tags"), requires=ENTERPRISE_OPTION),
        Field("guardrails", "list", elements="str", path=("metadata", "guardrails"), requires=ENTERPRISE_OPTION),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS),
        Field("model_max_budget", "dict", requires=ENTERPRISE_OPTION),
        Field("model_rpm_limit", "dict", minimum=0, path=("metadata", "model_rpm_limit")),
        Field("model_tpm_limit", "dict", minimum=0, path=("metadata", "model_tpm_limit")),
        Field("team_member_budget", "float", minimum=0, path=("team_member_budget_table", "max_budget")),
        Field("team_member_budget_duration", path=("team_member_budget_table", "budget_duration")),
        Field("team_member_rpm_limit", "int", minimum=0, path=("team_member_budget_table", "rpm_limit")),
        Field("team_member_tpm_limit", "int", minimum=0, path=("team_member_budget_table", "tpm_limit")),
        Field("team_member_key_duration", path=("metadata", "team_member_key_duration"), no_log=False, requires=ENTERPRISE_OPTION),
        Field("default_team_member_models", "list", elements="str"),
        Field("require_trace_id", "bool", path=("metadata", "require_trace_id"), requires=since("1.108.0")),
        Field("team_member_model_max_budget", "dict", path=("team_member_budget_table", "model_max_budget"),
              requires=since("1.108.0", enterprise=True)),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/team/new"),
    update=Endpoint("POST", "/team/update", idempotent=True),
    delete=Endpoint("POST", "/team/delete", body=lambda team_id: {"team_ids": [team_id]}),
    get=Endpoint("GET", "/team/info", param="team_id", unwrap="team_info"),
    find=Endpoint("GET", "/v2/team/list", items="teams", filters={"team_alias": "team_alias"}),
    members=Members(
        path=("members_with_roles",),
        add="/team/member_add",
        update="/team/member_update",
        delete="/team/member_delete",
        roles=("admin", "user"),
        default_role="user",
    ),
    hydrate=_team_member_budgets,
    list_order="team_id",
    references=[Reference("organization_alias", ORGANIZATION, "organization_id")],
    rules=[_default_models_in_models],
    mutually_exclusive=[("organization_id", "organization_alias")],
    owner_field="metadata",
    export_id=False,
    cr_map=CRMap(name="team_alias", status_id=True,
                 refs=[CRRef("organizationRef", "organization_alias", ORGANIZATION)],
                 rules=[MONTHLY_BUDGET, members_rule("user"), MODEL_BUDGETS,
                        model_budgets("team_member_model_max_budget")]),
    cr_kind="LiteLLMTeam",
    cr_ref="teamRef",
    # /organization/delete deletes the teams of the organization (their keys go as keys of the organization)
    cascaded_by=[Cascade(ORGANIZATION, ("organization_id",), "deleted")],
)
