"""The Secret of a LiteLLMVirtualKey's value (one rule for the operator's playbook and its batch), table-driven."""

import base64

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.litellm.plugins.filter.key_secret import FilterModule
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    key_secret,
    key_secret_name,
    parse_time,
    rotation_due,
)

VALUE = "sk-secret-value-0123456789"
CR = {"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": "LiteLLMVirtualKey",
      "metadata": {"name": "ci", "namespace": "team-a", "uid": "u-1"}, "spec": {"keyAlias": "ci"}}


@pytest.mark.parametrize("spec, name", [
    ({"keyAlias": "ci"}, "ci-key"),
    (None, "ci-key"),
    ({"keySecretName": ""}, "ci-key"),
    ({"keySecretName": "mine"}, "mine"),
])
def test_key_secret_name(spec, name):
    assert key_secret_name({"metadata": {"name": "ci"}, "spec": spec}) == name


def test_key_secret_manifest():
    assert key_secret(CR, VALUE, "20261206T210000Z") == {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {
            "name": "ci-key", "namespace": "team-a",
            "labels": {"app.kubernetes.io/managed-by": "llmops-litellm-operator",
                       "app.kubernetes.io/part-of": "llmops-litellm"},
            "annotations": {"litellm.llmops.dev/value-made-at": "20261206T210000Z"},
            "ownerReferences": [{"apiVersion": "litellm.llmops.dev/v1alpha1", "kind": "LiteLLMVirtualKey",
                                 "name": "ci", "uid": "u-1", "controller": True, "blockOwnerDeletion": True}],
        },
        "data": {"api_key": base64.b64encode(VALUE.encode()).decode()},
    }


def test_key_secret_defaults_owner_and_made_now():
    """A body without apiVersion, kind, namespace or uid (the batch's) is owned by our LiteLLMVirtualKey; the value
    is made now, in a form rotationPeriod reads back (not due at once)."""
    secret = key_secret({"metadata": {"name": "ci"}, "spec": {"keySecretName": "kept"}}, VALUE)
    owner = secret["metadata"]["ownerReferences"][0]
    assert (owner["apiVersion"], owner["kind"], owner["uid"]) == ("litellm.llmops.dev/v1alpha1", "LiteLLMVirtualKey", "")
    assert secret["metadata"]["name"] == "kept" and secret["metadata"]["namespace"] == ""
    made = secret["metadata"]["annotations"]["litellm.llmops.dev/value-made-at"]
    assert parse_time(made) is not None and not rotation_due(made, "1h")


def test_the_filters_are_the_functions():
    filters = FilterModule().filters()
    assert filters["key_secret"](CR, VALUE, "20261206T210000Z") == key_secret(CR, VALUE, "20261206T210000Z")
    assert filters["key_secret_name"](CR) == "ci-key"
    with pytest.raises(AnsibleFilterError, match="metadata.name"):
        filters["key_secret_name"]({"spec": {}})
