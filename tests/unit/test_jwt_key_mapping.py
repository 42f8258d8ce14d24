"""The jwt_key_mapping spec: LiteLLM's id and issuer shaped, the key write-only, the update body, the claim fixed."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.jwt_key_mapping import JWT_KEY_MAPPING

RAW = JWT_KEY_MAPPING.shape({"id": "m1", "jwt_issuer": None, "jwt_claim_name": "sub", "jwt_claim_value": "svc",
                             "description": "d", "is_active": True})


def test_shape_names_the_id_and_reads_any_issuer_as_none():
    assert RAW["mapping_id"] == "m1" and RAW["jwt_issuer"] is None
    assert JWT_KEY_MAPPING.shape({"id": "m2", "jwt_issuer": ""})["jwt_issuer"] is None


def test_the_key_is_write_only():
    view = JWT_KEY_MAPPING.view(dict(RAW, key="sk-never-returned"))
    assert "key" not in view
    assert JWT_KEY_MAPPING.changes(JWT_KEY_MAPPING.desired({"key": "sk-x", "description": "d"}), view) == {}
    assert JWT_KEY_MAPPING.secrets({"key": "sk-x", "description": "d"}) == {"key": "sk-x"}
    assert JWT_KEY_MAPPING.argument_spec()["key"]["no_log"] is True


@pytest.mark.parametrize("params, filters", [
    ({"jwt_claim_name": "sub"}, {"jwt_issuer": None, "jwt_claim_name": "sub"}),
    ({"jwt_claim_name": "sub", "jwt_issuer": ""}, {"jwt_issuer": None, "jwt_claim_name": "sub"}),
    ({"jwt_issuer": "https://idp"}, {"jwt_issuer": "https://idp"}),
])
def test_key_filters_are_the_rest_of_the_unique_key(params, filters):
    assert JWT_KEY_MAPPING.key_filters(params) == filters


def test_create_and_update_bodies():
    assert JWT_KEY_MAPPING.payload({"jwt_claim_name": "sub", "jwt_claim_value": "svc", "key": "sk-x",
                                    "is_active": False}) == {"jwt_claim_name": "sub", "jwt_claim_value": "svc",
                                                             "key": "sk-x"}
    assert JWT_KEY_MAPPING.payload({"description": "e"}, RAW) == {"description": "e", "id": "m1"}


def test_a_claim_change_is_refused_before_it_is_sent():
    with pytest.raises(ValidationError) as error:
        JWT_KEY_MAPPING.payload({"jwt_claim_name": "email"}, RAW)
    assert error.value.msg == ("jwt_claim_name of jwt_key_mapping 'svc' cannot be changed: LiteLLM's "
                               "/jwt/key/mapping/update does not take it; delete the mapping and create another")
