# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MCP toolsets: a named selection of tools of MCP servers, given to keys and teams as one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
)


class ToolsetTools(Field):
    """The tools of a toolset: {server_id, tool_name} pairs, in no particular order, each listed once."""

    def __init__(self, name):
        super(ToolsetTools, self).__init__(name, "list", elements="dict")

    def argument_spec(self):
        return dict(type="list", elements="dict", options=dict(
            server_id=dict(type="str", required=True),
            tool_name=dict(type="str", required=True),
        ))

    def validate(self, value):
        seen = set()
        for tool in value:
            pair = (tool["server_id"], tool["tool_name"])
            if pair in seen:
                raise ValidationError("tools lists tool_name '%s' of server_id '%s' twice" % (pair[1], pair[0]))
            seen.add(pair)

    def normalise(self, value):
        return super(ToolsetTools, self).normalise([dict(server_id=t.get("server_id"), tool_name=t.get("tool_name"))
                                                    for t in value or []])


MCP_TOOLSET = Resource(
    kind="mcp_toolset",
    plural="mcp_toolsets",
    id_field="toolset_id",
    key_field="toolset_name",
    fields=[
        Field("toolset_name"),
        Field("toolset_id"),
        Field("description"),
        ToolsetTools("tools"),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/v1/mcp/toolset"),
    # PUT /v1/mcp/toolset changes only the fields it is sent, the id in the body.
    update=Endpoint("PUT", "/v1/mcp/toolset", idempotent=True),
    delete=Endpoint("DELETE", "/v1/mcp/toolset/{id}"),
    get=Endpoint("GET", "/v1/mcp/toolset/{id}"),
    find=Endpoint("GET", "/v1/mcp/toolset", paginated=False),
    generated_id=True,
    requires=Requires(),
    export_id=False,
    cr_map=CRMap(name="toolset_name", name_default=None, status_id=True, camel_keys=("tools",),
                 required=("toolsetName",)),
    cr_kind="LiteLLMMCPToolset",
)
