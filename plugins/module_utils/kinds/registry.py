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

from ansible_collections.llmops.litellm.plugins.module_utils.kinds.access_group import ACCESS_GROUP
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import AGENT
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.customer import CUSTOMER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.guardrail import GUARDRAIL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_server import MCP_SERVER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.mcp_toolset import MCP_TOOLSET
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.tag import TAG
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.user import USER
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY

KINDS = (BUDGET, CREDENTIAL, GUARDRAIL, TAG, MCP_SERVER, MCP_TOOLSET, MODEL, AGENT, ORGANIZATION, TEAM, USER,
         VIRTUAL_KEY, CUSTOMER, ACCESS_GROUP)
BY_KIND = dict((r.kind, r) for r in KINDS)
BY_PLURAL = dict((r.plural, r) for r in KINDS)
