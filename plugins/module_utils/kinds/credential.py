# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reusable provider credentials: write-only values, credential_info."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._fields import MergedDict
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
)


def _credential_body(body, raw):
    """LiteLLM requires credential_info in every create and update request, even when it does not change."""
    body.setdefault("credential_info", {})
    return body


def _credential_read_only(raw):
    if raw.get("source") == "config":
        return "it is defined in the proxy's config file (credential_list), and LiteLLM lets the API change only " \
               "the credentials it stores in its database"
    return None


CREDENTIAL = Resource(
    kind="credential",
    plural="credentials",
    id_field="credential_name",
    key_field="credential_name",
    fields=[
        Field("credential_name"),
        Field("display_name"),
        Field("credential_values", "dict", write_only=True),
        # PATCH /credentials merges credential_info in memory but stores only the keys sent (update_db_credential)
        MergedDict("credential_info", whole=True),
    ],
    create=Endpoint("POST", "/credentials"),
    update=Endpoint("PATCH", "/credentials/{id}", idempotent=True),
    delete=Endpoint("DELETE", "/credentials/{id}"),
    get=Endpoint("GET", "/credentials/by_name/{id}"),
    find=Endpoint("GET", "/credentials", items="credentials", paginated=False),
    request_body=_credential_body,
    read_only=_credential_read_only,
    required=("credential_values",),
    requires=Requires(),
    owner_field="credential_info",
    cr_kind="LiteLLMCredential",
    cr_ref="credentialRef",
)
