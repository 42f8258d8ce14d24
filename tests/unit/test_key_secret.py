"""The Secret of a LiteLLMVirtualKey's value (one rule for the operator's playbook and its batch), table-driven."""

import base64

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.litellm.plugins.filter.key_secret import FilterModule
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import (
    key_secret,
    key_secret_made_at,
    key_secret_name,
    key_secret_value,
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


def test_the_value_and_its_time_read_back_from_the_secret():
    secret = key_secret(CR, VALUE, "20261206T210000Z")
    assert key_secret_value(secret) == VALUE
    assert key_secret_made_at(secret) == "20261206T210000Z"


@pytest.mark.parametrize("metadata, made_at, due", [
    ({"annotations": {"litellm.llmops.dev/value-made-at": "20261206T210000Z"}, "creationTimestamp": "2026-01-01T00:00:00Z"},
     "20261206T210000Z", False),
    ({"annotations": None, "creationTimestamp": "2026-01-01T00:00:00Z"}, "2026-01-01T00:00:00Z", True),  # made before
    ({"annotations": {"other": "x"}}, "", True),  # unknown: due for rotation
])
def test_key_secret_made_at(metadata, made_at, due):
    assert key_secret_made_at({"metadata": metadata}) == made_at
    assert rotation_due(made_at, "30d", now=1796594400) is due


def test_a_secret_without_the_value_is_named():
    with pytest.raises(ValueError, match="Secret team-a/ci-key has no api_key"):
        key_secret_value({"metadata": {"name": "ci-key", "namespace": "team-a"}, "data": {"other": "eA=="}})


def test_the_filters_are_the_functions():
    filters = FilterModule().filters()
    assert filters["key_secret"](CR, VALUE, "20261206T210000Z") == key_secret(CR, VALUE, "20261206T210000Z")
    assert filters["key_secret_name"](CR) == "ci-key"
    secret = filters["key_secret"](CR, VALUE, "20261206T210000Z")
    assert filters["key_secret_value"](secret) == VALUE and filters["key_secret_made_at"](secret) == "20261206T210000Z"
    with pytest.raises(AnsibleFilterError, match="metadata.name"):
        filters["key_secret_name"]({"spec": {}})
    with pytest.raises(AnsibleFilterError, match="has no api_key"):
        filters["key_secret_value"]({"metadata": {"name": "s"}})
