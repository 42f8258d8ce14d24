# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MCP servers: transport, auth with write-only credentials, tools, headers, limits."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    EMPTY,
    Endpoint,
    Field,
    Resource,
)


class McpAlias(Field):
    """An MCP server alias: LiteLLM replaces its spaces with underscores."""

    def normalise(self, value):
        return super(McpAlias, self).normalise(value.replace(" ", "_") if isinstance(value, str) else value)


MCP_TRANSPORT_NEEDS = {"http": ("url", "spec_path"), "sse": ("url", "spec_path"), "stdio": ("command", "args")}


def mcp_server_body(body, raw):
    """server_timeout is LiteLLM's timeout. An update that changes the transport must carry what LiteLLM checks
    with it (url, or command and args)."""
    if "server_timeout" in body:
        body["timeout"] = body.pop("server_timeout")
    if raw and body.get("transport") in MCP_TRANSPORT_NEEDS:
        for name in MCP_TRANSPORT_NEEDS[body["transport"]]:
            if name not in body and raw.get(name) not in EMPTY:
                body[name] = raw[name]
    return body


def mcp_server_read_only(raw):
    if raw.get("is_config"):
        return "it is defined in the proxy's config file (mcp_servers), and LiteLLM lets the API change only the " \
               "MCP servers it stores in its database"
    return None


def mcp_server_preflight(client, params):
    """stdio servers need a proxy started with LITELLM_ENABLE_MCP_STDIO=true; the proxy says whether it was."""
    if params["state"] != "present" or params.get("transport") != "stdio":
        return
    config = client.get("/.well-known/litellm-ui-config") or {}
    if config.get("mcp_stdio_enabled") is False:
        raise ValidationError("stdio MCP servers are disabled on this LiteLLM (GET /.well-known/litellm-ui-config "
                              "reports mcp_stdio_enabled=false): start the proxy with LITELLM_ENABLE_MCP_STDIO=true")


MCP_SERVER = Resource(
    kind="mcp_server",
    plural="mcp_servers",
    id_field="server_id",
    key_field="server_name",
    fields=[
        Field("server_name"),
        Field("server_id"),
        McpAlias("alias"),
        Field("description"),
        Field("transport", choices=("http", "sse", "stdio")),
        Field("url", format="url"),
        Field("spec_path"),
        Field("auth_type", choices=("none", "api_key", "bearer_token", "basic", "authorization", "oauth2",
                                    "aws_sigv4", "token", "oauth2_token_exchange", "oauth2_id_jag",
                                    "true_passthrough", "oauth_delegate")),
        Field("credentials", "dict", write_only=True),
        Field("allowed_tools", "list", elements="str"),
        Field("mcp_access_groups", "list", elements="str"),
        Field("extra_headers", "list", elements="str"),
        Field("static_headers", "dict", no_log=True),
        Field("command"),
        Field("args", "list", elements="str", ordered=True),
        Field("env", "dict", no_log=True),
        Field("tool_name_to_display_name", "dict"),
        Field("tool_name_to_description", "dict"),
        Field("instructions"),
        Field("allow_all_keys", "bool"),
        Field("available_on_public_internet", "bool"),
        Field("server_timeout", "float", minimum=0, path=("timeout",)),
        Field("max_concurrent_requests", "int", minimum=1),
        Field("rpm", "int", minimum=0),
        Field("teams", "list", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/v1/mcp/server"),
    update=Endpoint("PUT", "/v1/mcp/server", idempotent=True),
    delete=Endpoint("DELETE", "/v1/mcp/server/{id}"),
    # GET /v1/mcp/server/{id} health-checks the server (connects to it) on every read: read the list instead.
    get=None,
    find=Endpoint("GET", "/v1/mcp/server", paginated=False),
    request_body=mcp_server_body,
    read_only=mcp_server_read_only,
    preflight=mcp_server_preflight,
    requires=Requires(),
    export_id=False,
    # LiteLLM refuses a - in a server's name: the default from the resource's name has _ instead
    cr_map=CRMap(name="server_name", name_default=lambda name: name.replace("-", "_"), status_id=True,
                 secrets=[CRSecret("credentials", ("credentials",), each=True)]),
    cr_kind="LiteLLMMCPServer",
)
