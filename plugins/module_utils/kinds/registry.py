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

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import collection_calls, route_words
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
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import ORGANIZATION_MEMBER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.search_tool import SEARCH_TOOL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.policy import POLICY
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.prompt import PROMPT
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.proxy_settings import CALLS as PROXY_SETTINGS_CALLS
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team_member import TEAM_MEMBER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.vector_store import VECTOR_STORE
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import ROTATE_KEY, VIRTUAL_KEY

KINDS = (BUDGET, CREDENTIAL, GUARDRAIL, TAG, MCP_SERVER, MCP_TOOLSET, SEARCH_TOOL, VECTOR_STORE, PROMPT, MODEL, FALLBACK,
         AGENT, ORGANIZATION, TEAM, USER, VIRTUAL_KEY, JWT_KEY_MAPPING, CUSTOMER, ACCESS_GROUP,
         POLICY)  # a policy's attachments name teams, keys, models and tags
BY_KIND = dict((r.kind, r) for r in KINDS)
BY_PLURAL = dict((r.plural, r) for r in KINDS)
BY_CR_KIND = dict((r.cr_kind, r) for r in KINDS if r.cr_kind)
# Every Resource of the kind files and every Requires no Resource holds: what the collection calls.
DECLARED = KINDS + (ORGANIZATION_MEMBER, TEAM_MEMBER, ROTATE_KEY)
# The words of the LiteLLM routes the collection calls. Any other path segment (an id, a name, a hashed token) is
# written ``{id}`` in the operator's request log (_client.route_template), so that no id reaches a metric label.
ROUTE_WORDS = route_words(collection_calls(DECLARED) + list(PROXY_SETTINGS_CALLS))
# LiteLLM load-balances the deployments that share a model_name: many custom resources may name one.
SHARED_NAMES = frozenset([MODEL.kind])


def cr_claims(cr_kind, spec):
    """The (spec field, value) pairs by which a custom resource names its one LiteLLM object (``teamAlias``; a
    user's ``userEmail`` and ``userId``; a JWT key mapping's ``jwtClaimValue`` with its claim name and issuer).
    Two custom resources of one instance with the same pair claim the same object: the operator lets the older one
    manage it."""
    resource = BY_CR_KIND.get(cr_kind)
    if resource is None or resource.kind in SHARED_NAMES:
        return []
    found = []
    # the rest of a natural key made of several fields (a JWT key mapping's issuer and claim name)
    params = dict((name, (spec or {}).get(camel(name))) for name in resource.by_name)
    more = sorted((k, v) for k, v in (resource.key_filters(params) if resource.key_filters else {}).items()
                  if v is not None)
    for option in sorted(set([resource.key_field, resource.cr_alias])):
        value = (spec or {}).get(camel(option))
        if isinstance(value, str) and value.strip():
            found.append((camel(option), value + "".join(" with %s '%s'" % item for item in more)
                          if option == resource.key_field else value))
    return found


def cascades_of(resource):
    """[(child Resource, Cascade)]: what LiteLLM's deletion of an object of ``resource`` does to other objects."""
    return [(child, cascade) for child in KINDS for cascade in child.cascaded_by if cascade.parent is resource]
