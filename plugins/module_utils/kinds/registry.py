# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every kind the gateway engine manages, in the order their objects are created and updated.

Deletions run in the reverse order. What an object names by natural key (a model's credential, a key's team, a
customer's budget) comes first. Everything else the engine knows about a kind is declared in its own file
(kinds/<kind>.py): references, owner field, custom-resource kind... A new kind is its file and one line here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import (
    collection_calls,
    route_words,
    undescribed_calls,
)
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import camel
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import ACCESS_GROUP
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import AGENT
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.fallback import FALLBACK
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import GUARDRAIL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.jwt_key_mapping import JWT_KEY_MAPPING
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_server import MCP_SERVER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_toolset import MCP_TOOLSET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model_alias import MODEL_ALIAS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model_alias import UNDESCRIBED as ALIAS_UNDESCRIBED
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import ORGANIZATION_MEMBER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.search_tool import SEARCH_TOOL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.policy import POLICY
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.proxy_settings import PROXY_SETTINGS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.proxy_settings import UNDESCRIBED as SETTINGS_UNDESCRIBED
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.prompt import PROMPT
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team_member import TEAM_MEMBER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.vector_store import VECTOR_STORE
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import ROTATE_KEY, VIRTUAL_KEY

KINDS = (BUDGET, CREDENTIAL, GUARDRAIL, TAG, MCP_SERVER, MCP_TOOLSET, SEARCH_TOOL, VECTOR_STORE, PROMPT, MODEL,
         MODEL_ALIAS, FALLBACK, AGENT, ORGANIZATION, TEAM, USER, VIRTUAL_KEY, JWT_KEY_MAPPING, CUSTOMER, ACCESS_GROUP,
         POLICY)  # a policy's attachments name teams, keys, models and tags
# Every kind the custom-resource table maps: the engine's, and the proxy's settings (planned apart by gateway_state).
CR_KINDS = KINDS + (PROXY_SETTINGS,)
BY_KIND = dict((r.kind, r) for r in CR_KINDS)
BY_PLURAL = dict((r.plural, r) for r in KINDS)
BY_CR_KIND = dict((r.cr_kind, r) for r in CR_KINDS if r.cr_kind)
# Every Resource of the kind files, every Requires no Resource holds, and every Undescribed (calls LiteLLM leaves
# out of its OpenAPI description): what the collection calls.
DECLARED = KINDS + (ORGANIZATION_MEMBER, TEAM_MEMBER, ROTATE_KEY, SETTINGS_UNDESCRIBED, ALIAS_UNDESCRIBED)
# The words of the LiteLLM routes the collection calls. Any other path segment (an id, a name, a hashed token) is
# written ``{id}`` in the operator's request log (_client.route_template), so that no id reaches a metric label.
ROUTE_WORDS = route_words(collection_calls(DECLARED) + undescribed_calls(DECLARED))
# LiteLLM load-balances the deployments that share a model_name: many custom resources may name one.
SHARED_NAMES = frozenset([MODEL.kind])


def claims(resource, options):
    """The (option, value) pairs by which an object's options name its one LiteLLM object: its natural key (with the
    rest of a natural key made of several fields: a JWT key mapping's ``jwt_claim_value`` with its claim name and
    issuer) and its custom resource's alias (a user's ``user_email`` and ``user_id``). Two objects of one instance
    with the same pair name the same object; none for kinds whose names are shared (SHARED_NAMES). A kind with one
    object per proxy (the proxy's settings) is claimed by its instance."""
    if resource.kind in SHARED_NAMES:
        return []
    if resource.cr_map is not None and resource.cr_map.singleton:
        return [("instance_ref", resource.cr_map.singleton)]
    more = sorted((k, v) for k, v in (resource.key_filters(options) if resource.key_filters else {}).items()
                  if v is not None)
    found = []
    for option in sorted(set([resource.key_field, resource.cr_alias])):
        value = options.get(option)
        if isinstance(value, str) and value.strip():
            found.append((option, value + "".join(" with %s '%s'" % item for item in more)
                          if option == resource.key_field else value))
    return found


def cr_claims(cr_kind, spec):
    """The (spec field, value) pairs by which a custom resource names its one LiteLLM object (``claims`` of its
    spec: ``teamAlias``; a user's ``userEmail`` and ``userId``; a JWT key mapping's ``jwtClaimValue`` with its claim
    name and issuer). Two custom resources of one instance with the same pair claim the same object: the operator
    lets the older one manage it."""
    resource = BY_CR_KIND.get(cr_kind)
    if resource is None:
        return []
    params = dict((name, (spec or {}).get(camel(name))) for name in resource.by_name)
    return [(camel(option), value) for option, value in claims(resource, params)]


def cascades_of(resource):
    """[(child Resource, Cascade)]: what LiteLLM's deletion of an object of ``resource`` does to other objects."""
    return [(child, cascade) for child in KINDS for cascade in child.cascaded_by if cascade.parent is resource]
