# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JWT key mappings (``/jwt/key/mapping/*``): a JWT whose claim has a value (from an issuer, or any) authenticates
as a virtual key. Found by issuer, claim name and claim value (LiteLLM's unique key); the key is write-only."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
)

# What LiteLLM's /jwt/key/mapping/update cannot change (UpdateJWTKeyMappingRequest has no such fields).
FIXED = ("jwt_claim_name", "jwt_claim_value")


def _shape(raw):
    """LiteLLM names the mapping's id ``id``; an issuer stored as "" (any issuer) answers as null."""
    return dict(raw, mapping_id=raw.get("id"), jwt_issuer=raw.get("jwt_issuer") or None)


def _key_filters(params):
    """The rest of LiteLLM's unique key (issuer, claim name, claim value): no issuer means the mapping for any."""
    found = {"jwt_issuer": params.get("jwt_issuer") or None}
    if params.get("jwt_claim_name"):
        found["jwt_claim_name"] = params["jwt_claim_name"]
    return found


def _request(body, raw):
    """The update takes the id as ``id`` and cannot change the claim; a create takes no id."""
    mapping_id = body.pop("mapping_id", None)
    if raw:
        fixed = sorted(name for name in FIXED if name in body)
        if fixed:
            raise ValidationError("%s of jwt_key_mapping '%s' cannot be changed: LiteLLM's /jwt/key/mapping/update "
                                  "does not take %s; delete the mapping and create another" % (
                                      " and ".join(fixed), raw.get("jwt_claim_value"),
                                      "it" if len(fixed) == 1 else "them"))
        body["id"] = mapping_id
    return body


JWT_KEY_MAPPING = Resource(
    kind="jwt_key_mapping",
    plural="jwt_key_mappings",
    id_field="mapping_id",
    key_field="jwt_claim_value",
    fields=[
        Field("jwt_claim_value"),
        Field("jwt_claim_name", format="name"),
        Field("jwt_issuer"),
        Field("mapping_id"),
        Field("key", write_only=True),
        Field("description"),
        Field("is_active", "bool"),
        Field("created_at", option=False),
        Field("created_by", option=False),
        Field("updated_at", option=False),
        Field("updated_by", option=False),
    ],
    create=Endpoint("POST", "/jwt/key/mapping/new"),
    update=Endpoint("POST", "/jwt/key/mapping/update", idempotent=True),
    delete=Endpoint("POST", "/jwt/key/mapping/delete", body=lambda mapping_id: {"id": mapping_id}),
    get=Endpoint("GET", "/jwt/key/mapping/info", param="id"),
    find=Endpoint("GET", "/jwt/key/mapping/list", items="mappings", page_size="size"),
    shape=_shape,
    key_filters=_key_filters,
    unique_key=False,
    request_body=_request,
    # the create takes no is_active: a mapping created inactive is switched off right after
    later=("is_active",),
    required=("jwt_claim_name", "key"),
    generated_id=True,
    requires=Requires(),
    export_id=False,
    # playbooks/operator/jwt_key_mapping.yml: the claim value (with its claim name and issuer) is the natural key;
    # mapping_id is the status.litellmId of an earlier run; keySecretRef is the write-only key
    cr_map=CRMap(name="jwt_claim_value", name_default=None, status_id=True, required=("jwtClaimName", "jwtClaimValue"),
                 secrets=[CRSecret("keySecretRef", ("key",))]),
    cr_kind="LiteLLMJWTKeyMapping",
)
