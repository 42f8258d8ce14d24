"""The model spec: which litellm_params LiteLLM hides, references recorded and compared, the request body."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import (
    MODEL,
    MODEL_REFERENCES,
    model_param_hidden,
)

PARAMS = MODEL.by_name["litellm_params"]
PROVIDER_KEY = MODEL.by_name["provider_api_key"]
SECRETS = MODEL.by_name["secret_litellm_params"]
INFO = MODEL.by_name["model_info"]


@pytest.mark.parametrize("key, hidden", [
    ("api_key", True),
    ("aws_secret_access_key", True),
    ("aws_access_key_id", True),
    ("vertex_credentials", True),
    ("azure_ad_token", True),
    ("client_secret", True),
    ("litellm_credential_name", False),
    ("api_base", False),
    ("max_tokens", False),
    ("input_cost_per_token", False),
    ("rpm", False),
    ("mock_response", False),
    ("aws_region_name", False),
])
def test_model_param_hidden(key, hidden):
    assert model_param_hidden(key) is hidden


RAW = {
    "model_name": "gpt", "model_id": "m1",
    "litellm_params": {"model": "openai/gpt-4o", "api_base": "/resolved/home", "rpm": 5, "tags": ["a"],
                       "aws_region_name": "eu", "use_in_pass_through": False},
    "model_info": {"id": "m1", "db_model": True, "access_groups": ["g"], "mode": "chat",
                   MODEL_REFERENCES: {"api_base": "os.environ/HOME", "api_key": "os.environ/KEY",
                                      "aws_secret_access_key": "os.environ/AWS"}},
}


@pytest.mark.parametrize("field, expected", [
    (PARAMS, {"model": "openai/gpt-4o", "api_base": "os.environ/HOME", "rpm": 5, "aws_region_name": "eu",
              "use_in_pass_through": False}),
    (PROVIDER_KEY, "os.environ/KEY"),
    (SECRETS, {"aws_secret_access_key": "os.environ/AWS"}),
    (INFO, {"mode": "chat"}),
])
def test_read_shows_recorded_references(field, expected):
    assert field.read(RAW) == expected


@pytest.mark.parametrize("field, desired, differs", [
    (PARAMS, {"api_base": "os.environ/HOME"}, False),
    (PARAMS, {"api_base": "/resolved/home"}, True),  # a literal where a reference is stored
    (PARAMS, {"api_base": "os.environ/OTHER"}, True),
    (PARAMS, {"rpm": 5}, False),
    (PARAMS, {"rpm": 5.0}, False),
    (PARAMS, {"rpm": 6}, True),
    (PARAMS, {"timeout": 30}, True),
    (PROVIDER_KEY, "os.environ/KEY", False),
    (PROVIDER_KEY, "os.environ/OTHER", True),
    (SECRETS, {"aws_secret_access_key": "os.environ/AWS"}, False),
    (SECRETS, {"aws_secret_access_key": "os.environ/NEW"}, True),
    (INFO, {"mode": "chat"}, False),
    (INFO, {"mode": "completion"}, True),
])
def test_differs_compares_only_given_keys(field, desired, differs):
    assert field.differs(field.public(desired), field.read(RAW)) is differs


@pytest.mark.parametrize("field, value, public, secret", [
    (PROVIDER_KEY, "sk-literal", None, "sk-literal"),
    (PROVIDER_KEY, "os.environ/KEY", "os.environ/KEY", None),
    (SECRETS, {"aws_secret_access_key": "s", "aws_access_key_id": "os.environ/ID"},
     {"aws_access_key_id": "os.environ/ID"}, {"aws_secret_access_key": "s"}),
    (SECRETS, {"vertex_credentials": "{...}"}, None, {"vertex_credentials": "{...}"}),
])
def test_secret_and_public_parts(field, value, public, secret):
    assert (field.public(value), field.secret(value)) == (public, secret)


@pytest.mark.parametrize("option, value, error", [
    ("litellm_params", {"model": "m", "api_key": "os.environ/K"}, "litellm_params must not set api_key: set it with "
                                                                  "the provider_api_key option"),
    ("litellm_params", {"tags": ["a"]}, "litellm_params must not set tags: set it with the tags option"),
    ("litellm_params", {"aws_secret_access_key": "x"}, "litellm_params.aws_secret_access_key is a secret LiteLLM "
                                                       "never returns: set it in secret_litellm_params"),
    ("secret_litellm_params", {"api_key": "x"}, "secret_litellm_params must not set api_key: set it with the "
                                                "provider_api_key option"),
    ("secret_litellm_params", {"api_base": "x"}, "secret_litellm_params.api_base is not a secret LiteLLM hides"),
    ("model_info", {"id": "x"}, "model_info must not set id"),
    ("model_info", {"llmops_references": {}}, "model_info must not set llmops_references"),
])
def test_validation_names_the_field(option, value, error):
    with pytest.raises(ValidationError, match=error.replace("(", r"\(").replace(")", r"\)")):
        MODEL.desired(dict(dict.fromkeys(MODEL.by_name), **{option: value}))


@pytest.mark.parametrize("body, raw, expected", [
    # create: params gathered into litellm_params, id and access groups into model_info, references recorded
    ({"model_name": "gpt", "model_id": "m1", "litellm_params": {"model": "openai/x", "api_base": "os.environ/B"},
      "provider_api_key": "sk-1", "secret_litellm_params": {"aws_access_key_id": "os.environ/A"}, "tags": ["t"],
      "access_groups": ["g"], "blocked": False},
     None,
     {"model_name": "gpt", "blocked": False,
      "litellm_params": {"model": "openai/x", "api_base": "os.environ/B", "api_key": "sk-1",
                         "aws_access_key_id": "os.environ/A", "tags": ["t"]},
      "model_info": {"id": "m1", "access_groups": ["g"],
                     MODEL_REFERENCES: {"api_base": "os.environ/B", "aws_access_key_id": "os.environ/A"}}}),
    # create without id or references: no model_info at all (LiteLLM makes the id)
    ({"model_name": "gpt", "litellm_params": {"model": "openai/x"}}, None,
     {"model_name": "gpt", "litellm_params": {"model": "openai/x"}}),
    # update of a plain param: no model_info, so LiteLLM keeps it as it is
    ({"model_id": "m1", "litellm_params": {"rpm": 6}}, RAW, {"litellm_params": {"rpm": 6}}),
    # update replacing a reference by a literal: the record loses it, model_info names the model's id
    ({"model_id": "m1", "litellm_params": {"api_base": "http://x"}}, RAW,
     {"litellm_params": {"api_base": "http://x"},
      "model_info": {"id": "m1", MODEL_REFERENCES: {"api_key": "os.environ/KEY",
                                                    "aws_secret_access_key": "os.environ/AWS"}}}),
    # update of another reference: recorded
    ({"model_id": "m1", "provider_api_key": "os.environ/NEW"}, RAW,
     {"litellm_params": {"api_key": "os.environ/NEW"},
      "model_info": {"id": "m1", MODEL_REFERENCES: {"api_base": "os.environ/HOME", "api_key": "os.environ/NEW",
                                                    "aws_secret_access_key": "os.environ/AWS"}}}),
    # update of model_info keys: names the id
    ({"model_id": "m1", "model_info": {"mode": "completion"}}, RAW, {"model_info": {"mode": "completion", "id": "m1"}}),
])
def test_request_body(body, raw, expected):
    assert MODEL.request_body(dict(body), raw) == expected


@pytest.mark.parametrize("raw, reason", [
    ({"model_info": {"db_model": False}}, "it is defined in the proxy's config file (model_list)"),
    ({"model_info": {"db_model": True}}, None),
])
def test_config_models_are_read_only(raw, reason):
    found = MODEL.read_only(raw)
    assert (found if found is None else found[:len(reason)]) == reason


@pytest.mark.parametrize("params, expected", [
    ({"litellm_params": {"model": "openai/x"}}, {"model": "openai/x"}),
    ({"litellm_params": {"rpm": 1}}, {}),
    ({"litellm_params": None}, {}),
])
def test_key_filters(params, expected):
    assert MODEL.key_filters(params) == expected


def test_shape_puts_id_and_provider_model_on_top():
    shaped = MODEL.shape({"model_name": "n", "litellm_params": {"model": "p"}, "model_info": {"id": "i"}})
    assert (shaped["model_id"], shaped["model"]) == ("i", "p")


def test_predicted_litellm_params_merge_into_the_live_ones():
    view = MODEL.view(MODEL.shape(RAW))
    changes = MODEL.changes({"litellm_params": {"rpm": 7}, "provider_api_key": "sk-new"}, view)
    assert changes == {"litellm_params": {"rpm": 7}}, "a literal secret is never a change by comparison"
    assert MODEL.predict(view, changes)["litellm_params"]["rpm"] == 7
    assert MODEL.secrets({"provider_api_key": "sk-new", "tags": ["a"]}) == {"provider_api_key": "sk-new"}
