# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reusable provider credentials: write-only values, credential_info."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRRule, CRSecret
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


def _values_from_spec(spec, _name, options, origins):
    """params, apiBase and apiVersion go into credential_values beside the values of the Secrets (reserved names:
    api_key, api_base and api_version are set by their own fields)."""
    for field in ("params", "secretParams"):
        reserved = sorted(set(spec.get(field) or {}).intersection(("api_key", "api_base", "api_version")))
        if reserved:
            return "spec.%s: cannot set %s (use apiKeySecretRef, apiBase, apiVersion)" % (field, ", ".join(reserved))
    values = dict(spec.get("params") or {})
    values.update((option, spec[field]) for field, option in (("apiBase", "api_base"), ("apiVersion", "api_version"))
                  if spec.get(field) is not None)
    if values:
        options["credential_values"] = dict(values, **options.get("credential_values", {}))
        origins["credential_values"] = "spec.params"
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
    cr_map=CRMap(name="credential_name",
                 secrets=[CRSecret("apiKeySecretRef", ("credential_values", "api_key")),
                          CRSecret("secretParams", ("credential_values",), each=True)],
                 rules=[CRRule(("params", "apiBase", "apiVersion"), ("credential_values",), _values_from_spec)]),
    cr_kind="LiteLLMCredential",
    cr_ref="credentialRef",
)
