# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unified access groups: models, MCP servers, agents, assigned teams and keys."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires, since
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Names,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


def access_group_body(body, raw):
    body.pop("access_group_id", None)
    return body


ACCESS_GROUP = Resource(
    kind="access_group",
    plural="access_groups",
    id_field="access_group_id",
    key_field="access_group_name",
    fields=[
        Field("access_group_name"),
        Field("access_group_id"),
        Field("description"),
        Field("access_model_names", "list", elements="str"),
        Field("access_mcp_server_ids", "list", elements="str"),
        Field("access_agent_ids", "list", elements="str"),
        Field("mcp_tool_permissions", "dict", requires=since("1.108.0")),
        Field("access_skill_names", "list", elements="str", requires=since("1.108.0")),
        Field("assigned_team_ids", "list", elements="str"),
        Field("assigned_key_ids", "list", elements="str", no_log=False),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/v1/access_group"),
    update=Endpoint("PUT", "/v1/access_group/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/v1/access_group/{id}"),
    get=Endpoint("GET", "/v1/access_group/{id}"),
    find=Endpoint("GET", "/v1/access_group", paginated=False),
    request_body=access_group_body,
    names=[Names(("access_model_names",), MODEL, ("model_name",)), Names(("assigned_team_ids",), TEAM, ("team_id",))],
    generated_id=True,
    requires=Requires(),
    export_id=False,
)
