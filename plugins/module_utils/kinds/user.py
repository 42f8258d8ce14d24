# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Internal users: role, models, budget, limits, metadata, and the teams they belong to."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRRef
from ansible_collections.llmops.litellm.plugins.module_utils._fields import LITELLM_METADATA_KEYS
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Links,
    Names,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


USER_ROLES = ("proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer")


def _team_link(user_id, team_id):
    return {"team_id": team_id, "member": {"user_id": user_id, "role": "user"}}


USER = Resource(
    kind="user",
    plural="users",
    id_field="user_id",
    key_field="user_email",
    fields=[
        Field("user_id"),
        Field("user_email", format="email"),
        Field("user_alias"),
        Field("user_role", choices=USER_ROLES),
        Field("models", "list", elements="str", clearable=False),
        Field("max_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("metadata", "dict", keep_keys=LITELLM_METADATA_KEYS, clearable=False),
        Field("send_invite_email", "bool", create_only=True),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/user/new"),
    update=Endpoint("POST", "/user/update", idempotent=True),
    delete=Endpoint("POST", "/user/delete", body=lambda user_id: {"user_ids": [user_id]}),
    get=Endpoint("GET", "/user/info", param="user_id", unwrap="user_info"),
    find=Endpoint("GET", "/user/list", items="users", filters={"user_email": "user_email"}),
    links=[Links(
        "teams", ("teams",),
        join=Endpoint("POST", "/team/member_add", body=_team_link),
        leave=Endpoint("POST", "/team/member_delete", body=lambda user_id, team_id: {"team_id": team_id,
                                                                                     "user_id": user_id}),
    )],
    # /user/new mints a virtual key for the user unless told not to; keys are the virtual_key module's business.
    create_extra={"auto_create_key": False, "send_invite_email": False},
    list_order="user_id",
    # teams: team ids, or team aliases (made the ids, of a team created by the same gateway_state run too)
    names=[Names(("teams",), TEAM, ("team_id", "team_alias"), to="team_id")],
    owner_field="metadata",
    protected_ids=["default_user_id"],
    # user_id: the resource's name, unless the user is named by its email (LiteLLM then makes the id)
    cr_map=CRMap(name="user_id", unless="user_email", status_id=True,
                 refs=[CRRef("teamRefs", "teams", TEAM, by="id_or_name")]),
    cr_kind="LiteLLMUser",
    cr_ref="userRef",
    cr_alias="user_id",
)
