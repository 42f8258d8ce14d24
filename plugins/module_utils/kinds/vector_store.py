# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Vector stores registered with the proxy: a provider's vector store (OpenAI, Bedrock knowledge base, Vertex RAG,
PG Vector, ...) named by its id, which LiteLLM then searches for clients. Registering one does not call the
provider."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRSecret
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._fields import MergedDict
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Names,
    Resource,
    config_owned,
    get_path,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.agent import AGENT_REDACTED, agent_secret_key
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL


def vector_store_secret_key(key):
    """Whether LiteLLM redacts a vector store's litellm_params value stored under ``key`` (the agents' rule, plus
    ``connection``: _LITELLM_PARAMS_MASKER in litellm/proxy/vector_store_endpoints/management_endpoints.py)."""
    return agent_secret_key(key) or "connection" in str(key).lower()


class VectorStoreParams(MergedDict):
    """A vector store's litellm_params: LiteLLM fills in many keys of its own, so only the keys set are compared;
    secrets go in secret_litellm_params. Only a create takes them."""

    def __init__(self, name):
        super(VectorStoreParams, self).__init__(name)
        self.fixed = True

    def read(self, raw):
        params = get_path(raw, self.path) or {}
        return self.normalise(dict((k, v) for k, v in params.items()
                                   if v != AGENT_REDACTED and not vector_store_secret_key(k)))

    def validate(self, value):
        for key in value:
            if vector_store_secret_key(key):
                raise ValidationError("litellm_params.%s holds a secret, which LiteLLM never returns: set it in "
                                      "secret_litellm_params (write-only, never logged)" % key)


def vector_store_body(body, raw):
    """Option-keyed body -> LiteLLM's: the secrets merged into litellm_params (only a create takes either)."""
    secrets = body.pop("secret_litellm_params", None)
    if secrets:
        body["litellm_params"] = dict(body.get("litellm_params") or {}, **secrets)
    return body


def vector_store_read_only(raw):
    if raw.get("is_config"):
        return config_owned("vector_store_registry", "vector stores")
    return None


VECTOR_STORE = Resource(
    kind="vector_store",
    plural="vector_stores",
    id_field="vector_store_id",
    key_field="vector_store_id",
    fields=[
        Field("vector_store_id"),
        Field("custom_llm_provider"),
        Field("vector_store_name"),
        Field("vector_store_description"),
        Field("vector_store_metadata", "dict"),
        Field("litellm_credential_name", fixed=True),
        VectorStoreParams("litellm_params"),
        Field("secret_litellm_params", "dict", path=("litellm_params",), create_only=True, no_log=True),
        Field("team_id", option=False),
        Field("user_id", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/vector_store/new", unwrap="vector_store"),
    # /vector_store/update changes only the fields it is sent; it takes neither litellm_params nor the credential.
    update=Endpoint("POST", "/vector_store/update", idempotent=True),
    delete=Endpoint("POST", "/vector_store/delete", body=lambda vector_store_id: {"vector_store_id": vector_store_id}),
    get=None,
    # The list answers every vector store at once, whatever page it is asked for.
    find=Endpoint("GET", "/vector_store/list", items="data", paginated=False),
    request_body=vector_store_body,
    read_only=vector_store_read_only,
    required=("custom_llm_provider",),
    names=[Names(("litellm_credential_name",), CREDENTIAL, ("credential_name",))],
    requires=Requires(),
    # playbooks/operator/vector_store.yml: vectorStoreId is the natural key and LiteLLM's id; vectorStoreMetadata
    # and litellmParams as written; secretLitellmParams {param: Secret ref} the write-only secret_litellm_params
    cr_map=CRMap(name="vector_store_id", name_default=None, required=("vectorStoreId", "customLlmProvider"),
                 secrets=[CRSecret("secretLitellmParams", ("secret_litellm_params",), each=True)]),
    cr_kind="LiteLLMVectorStore",
)
