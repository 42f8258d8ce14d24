# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A2A agents: agent card, LiteLLM parameters with write-only secrets, limits, permissions, the kill switch
webhook, and whether the agent is public."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRRule, CRSecret, camel, keys_tree, snake
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import MergedDict
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
    get_path,
    prune,
)

# What LiteLLM 1.106.2 answers in place of a secret (REDACTED_BY_LITELM_STRING), and takes back as "keep the
# stored value" in an update.
AGENT_REDACTED = "REDACTED_BY_LITELM"
# Key segments that make LiteLLM redact a litellm_params value (SensitiveDataMasker in
# litellm/litellm_core_utils/sensitive_data_masker.py), unless a segment is "cost".
AGENT_SECRET_SEGMENTS = ("password", "secret", "key", "token", "auth", "authorization", "cookie", "credential",
                         "credentials", "access", "private", "certificate", "fingerprint", "tenancy")
# litellm_params keys LiteLLM owns: the public flag is set with the public option.
AGENT_PARAMS_OWNED = ("is_public", "make_public")

# The agent card as LiteLLM stores it (merge_agent_card in litellm/proxy/a2a/agent_card.py): these keys are
# replaced by LiteLLM's own, other keys than the card's are dropped, protocolVersion is served as major.minor
# (0.3 or 1.0) and capabilities keep only streaming: true.
CARD_KEYS = ("protocolVersion", "name", "description", "url", "version", "capabilities", "defaultInputModes",
             "defaultOutputModes", "skills", "preferredTransport", "iconUrl", "provider", "documentationUrl",
             "supportsAuthenticatedExtendedCard", "signatures")
CARD_REPLACED = ("securitySchemes", "security", "supportedInterfaces", "additionalInterfaces")
CARD_VERSIONS = ("0.3", "1.0")
_CARD_VERSION = re.compile(r"^(\d+\.\d+)(?:\.\d+\S*)?$")

KILL_SWITCH_SECRETS = {"bearer": "token", "api_key": "api_key", "basic": "password"}
KILL_SWITCH_AUTH = {"bearer": ("token",), "api_key": ("api_key", "header_name"), "basic": ("username", "password")}
KILL_SWITCH_METHODS = ("POST", "PUT", "PATCH", "DELETE", "GET")
PERMISSION_KEYS = ("mcp_servers", "mcp_access_groups", "mcp_tool_permissions", "models", "agents")


def agent_secret_key(key):
    """Whether LiteLLM redacts a litellm_params value stored under ``key``."""
    segments = str(key).lower().replace("-", "_").split("_")
    return "cost" not in segments and any(word in segments for word in AGENT_SECRET_SEGMENTS)


def _public_params(params):
    """litellm_params without the values LiteLLM redacts and without the keys it owns."""
    return dict((k, v) for k, v in (params or {}).items() if k not in AGENT_PARAMS_OWNED and v != AGENT_REDACTED
                and not agent_secret_key(k))


class AgentParams(MergedDict):
    """An agent's litellm_params: only the keys the user sets are compared; secrets go in secret_litellm_params."""

    def read(self, raw):
        return self.normalise(_public_params(get_path(raw, self.path)))

    def validate(self, value):
        for key in value:
            if key in AGENT_PARAMS_OWNED:
                raise ValidationError("litellm_params.%s is set by LiteLLM: use the public option" % key)
            if agent_secret_key(key):
                raise ValidationError("litellm_params.%s holds a secret, which LiteLLM never returns: set it in "
                                      "secret_litellm_params (write-only, never logged)" % key)


class AgentCard(MergedDict):
    """An agent card: only the keys the user sets are compared, as LiteLLM stores them."""

    def validate(self, value):
        replaced = sorted(k for k in value if k in CARD_REPLACED)
        if replaced:
            raise ValidationError("agent_card_params must not set %s: LiteLLM replaces them with its own, so that "
                                  "clients reach the agent through the proxy" % ", ".join(replaced))
        unknown = sorted(k for k in value if k not in CARD_KEYS)
        if unknown:
            raise ValidationError("agent_card_params must not set %s: LiteLLM keeps only the agent card's fields "
                                  "(%s)" % (", ".join(unknown), ", ".join(CARD_KEYS)))
        version = value.get("protocolVersion")
        match = _CARD_VERSION.match(version) if isinstance(version, str) else None
        if version is not None and (match is None or match.group(1) not in CARD_VERSIONS):
            raise ValidationError("agent_card_params.protocolVersion must be one of %s (LiteLLM serves no other "
                                  "A2A version), got %s" % (", ".join(CARD_VERSIONS), version))

    @staticmethod
    def stored(value):
        """The user's card keys as LiteLLM stores them."""
        card = dict(value)
        if isinstance(card.get("protocolVersion"), str):
            match = _CARD_VERSION.match(card["protocolVersion"])
            card["protocolVersion"] = match.group(1) if match else card["protocolVersion"]
        if "capabilities" in card:
            card["capabilities"] = dict((k, v) for k, v in (card["capabilities"] or {}).items()
                                        if k == "streaming" and v)
        return card

    def differs(self, desired, live):
        return super(AgentCard, self).differs(self.stored(desired), live)

    def merged(self, live, desired):
        return super(AgentCard, self).merged(live, self.stored(desired))


class AgentPermissions(MergedDict):
    """The MCP servers, access groups, tools, models and agents an agent may use: only the keys set are compared;
    an update sends them with the live ones, so that setting one never clears another."""

    def argument_spec(self):
        return dict(type="dict", options=dict(
            mcp_servers=dict(type="list", elements="str"),
            mcp_access_groups=dict(type="list", elements="str"),
            mcp_tool_permissions=dict(type="dict"),
            models=dict(type="list", elements="str"),
            agents=dict(type="list", elements="str"),
        ))

    @staticmethod
    def _canonical(value):
        """The permission keys, lists sorted, an empty value as None (LiteLLM answers [] for what is not set)."""
        return dict((k, (sorted(v) if isinstance(v, list) else v) or None) for k, v in (value or {}).items()
                    if k in PERMISSION_KEYS)

    def read(self, raw):
        return self.normalise(self._canonical(get_path(raw, self.path)))

    def differs(self, desired, live):
        live = live or {}
        return any(v != live.get(k) for k, v in self._canonical(desired).items())

    def merged(self, live, desired):
        return super(AgentPermissions, self).merged(live, self._canonical(desired))

    def write(self, value, raw):
        """The live permissions with the desired ones: LiteLLM replaces the whole record."""
        live = self._canonical(get_path(raw, self.path)) if raw else {}
        live.update(value)
        return dict((k, v) for k, v in live.items() if v is not None)


class KillSwitch(Field):
    """The webhook LiteLLM calls when an admin fires the agent's kill switch. Its auth secret (token, api_key or
    password) is write-only: LiteLLM answers it redacted and keeps the stored one when it is sent back redacted."""

    has_secrets = True

    def __init__(self, name):
        super(KillSwitch, self).__init__(name, "dict")

    def argument_spec(self):
        return dict(type="dict", options=dict(
            url=dict(type="str", required=True),
            method=dict(type="str", choices=list(KILL_SWITCH_METHODS), default="POST"),
            headers=dict(type="dict", no_log=True),
            query_params=dict(type="dict"),
            body=dict(type="dict"),
            auth=dict(type="dict", options=dict(
                type=dict(type="str", required=True, choices=sorted(KILL_SWITCH_SECRETS)),
                token=dict(type="str", no_log=True),
                api_key=dict(type="str", no_log=True),
                header_name=dict(type="str", no_log=False),
                username=dict(type="str"),
                password=dict(type="str", no_log=True),
            )),
        ))

    def validate(self, value):
        url = value.get("url") or ""
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValidationError("kill_switch.url must be an absolute http(s) URL, got '%s'" % url)
        auth = value.get("auth")
        if auth:
            allowed = KILL_SWITCH_AUTH[auth["type"]]
            wrong = sorted(k for k, v in auth.items() if v is not None and k != "type" and k not in allowed)
            if wrong:
                raise ValidationError("kill_switch.auth of type %s takes no %s (only %s)" % (
                    auth["type"], ", ".join(wrong), ", ".join(allowed)))

    def normalise(self, value):
        """The kill switch without its auth secret, LiteLLM's defaults filled in."""
        if not value:
            return None
        auth = value.get("auth")
        if auth:
            auth = dict((k, v) for k, v in auth.items() if k != KILL_SWITCH_SECRETS.get(auth.get("type")))
            if auth.get("type") == "api_key" and not auth.get("header_name"):
                auth["header_name"] = "x-api-key"
        return prune(dict(url=value.get("url"), method=value.get("method") or "POST",
                          headers=value.get("headers") or None, query_params=value.get("query_params") or None,
                          body=value.get("body"), auth=prune(auth) if auth else None))

    def public(self, value):
        return self.normalise(value)

    def secret(self, value):
        auth = value.get("auth") or {}
        return value if auth.get(KILL_SWITCH_SECRETS.get(auth.get("type"))) else None

    def write(self, value, raw):
        """The kill switch as LiteLLM takes it: a secret left out is sent redacted, which keeps the stored one."""
        value = prune(dict(value))
        auth = value.get("auth")
        if auth:
            secret = KILL_SWITCH_SECRETS[auth["type"]]
            value["auth"] = dict(auth, **{secret: auth.get(secret) or AGENT_REDACTED})
        return value


def agent_body(body, raw):
    """Option-keyed body -> LiteLLM's: litellm_params with the secrets merged in (an update sends the live ones
    back, redacted, since LiteLLM replaces the others with what it is sent); the id goes in the path."""
    params = body.pop("litellm_params", None)
    secrets = body.pop("secret_litellm_params", None)
    if params is not None or secrets:
        merged = dict((k, v) for k, v in ((raw or {}).get("litellm_params") or {}).items()
                      if k not in AGENT_PARAMS_OWNED)
        merged.update(params or {})
        merged.update(secrets or {})
        body["litellm_params"] = merged
    body.pop("agent_id", None)
    body.pop("public", None)
    return body


def public_agents(client):
    """The ids of the agents that are public (GET /v1/agents says it of each)."""
    return sorted(a["agent_id"] for a in client.get("/v1/agents") or []
                  if (a.get("litellm_params") or {}).get("is_public"))


def agent_update(client, resource, changes, raw):
    """PATCH the agent; make it public with /v1/agents/{id}/make_public, or private by sending the other public
    agents to /v1/agents/make_public (LiteLLM has no call that makes one agent private)."""
    changes = dict(changes)
    public = changes.pop("public", None)
    agent_id = raw[resource.id_field]
    if changes:
        client.request("PATCH", resource.update.target(agent_id), body=resource.payload(changes, raw),
                       idempotent=True)
    if public is True:
        client.post("/v1/agents/%s/make_public" % agent_id, {})
    elif public is False:
        client.post("/v1/agents/make_public", {"agent_ids": [a for a in public_agents(client) if a != agent_id]},
                    idempotent=True)


# What setting the public option calls (agent_update), checked like the agent's own endpoints.
AGENT_PUBLIC = Requires(paths=("POST /v1/agents/{agent_id}/make_public", "POST /v1/agents/make_public"),
                        what="public agents")


def agent_export(options, view):
    """An exported card leaves out what LiteLLM writes into it itself (and refuses from a user)."""
    card = options.get("agent_card_params")
    if card:
        options["agent_card_params"] = dict((k, v) for k, v in card.items() if k not in CARD_REPLACED)


def agent_read_only(raw):
    if raw.get("created_at") is None:
        return "it is defined in the proxy's config file (agent_list), and LiteLLM lets the API change only the " \
               "agents it stores in its database"
    return None


# The kill switch's auth: its Secret's value is the token, api_key or password, by the auth's type.
_AUTH_SECRET = {"bearer": "token", "api_key": "api_key", "basic": "password"}


def _kill_switch_secret(spec):
    auth = (spec.get("killSwitch") or {}).get("auth") or {}
    return ("kill_switch", "auth", _AUTH_SECRET.get(auth.get("type") or "bearer", "token"))


def _kill_switch_options(spec, _name, options, origins):
    switch = spec.get("killSwitch")
    if switch is None:
        return None
    secret = (options.get("kill_switch") or {}).get("auth") or {}  # the Secret's value, when handed in
    auth = dict((k, v) for k, v in (switch.get("auth") or {}).items() if k != "credentialSecretRef")
    wanted = keys_tree(dict(switch, auth=dict(auth, **secret) if auth or secret else None), snake)
    wanted.setdefault("method", "POST")
    options["kill_switch"] = dict((k, v) for k, v in wanted.items() if v is not None)
    origins["kill_switch"] = "spec.killSwitch"
    return None


def _kill_switch_spec(options, spec):
    switch = options.pop("kill_switch", None)
    if switch is not None:
        # its auth is left out: the CRD takes it only with its credentialSecretRef, a Secret an export cannot name
        spec["killSwitch"] = keys_tree(dict((k, v) for k, v in switch.items() if k != "auth"), camel)


AGENT = Resource(
    kind="agent",
    plural="agents",
    id_field="agent_id",
    key_field="agent_name",
    fields=[
        Field("agent_name"),
        Field("agent_id"),
        AgentCard("agent_card_params", whole=True),
        AgentParams("litellm_params"),
        Field("secret_litellm_params", "dict", path=("litellm_params",), write_only=True),
        Field("public", "bool", path=("litellm_params", "is_public"), requires=AGENT_PUBLIC),
        Field("enabled", "bool"),
        AgentPermissions("object_permission"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("session_tpm_limit", "int", minimum=0),
        Field("session_rpm_limit", "int", minimum=0),
        Field("static_headers", "dict", no_log=True),
        Field("extra_headers", "list", elements="str"),
        KillSwitch("kill_switch"),
        Field("spend", "float", option=False),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/v1/agents"),
    update=Endpoint("PATCH", "/v1/agents/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/v1/agents/{id}"),
    # GET /v1/agents/{id} leaves out whether the agent is public: read the list, which says it.
    get=None,
    find=Endpoint("GET", "/v1/agents", paginated=False),
    request_body=agent_body,
    update_with=agent_update,
    read_only=agent_read_only,
    later=("public",),
    export_options=agent_export,
    generated_id=True,
    requires=Requires(),
    export_id=False,
    cr_map=CRMap(name="agent_name", name_default=None, status_id=True, camel_keys=("object_permission",),
                 required=("agentName",),
                 secrets=[CRSecret("secretLitellmParams", ("secret_litellm_params",), each=True),
                          CRSecret("killSwitch.auth.credentialSecretRef", _kill_switch_secret)],
                 rules=[CRRule(("killSwitch",), ("kill_switch",), _kill_switch_options, _kill_switch_spec)]),
    cr_kind="LiteLLMAgent",
)
