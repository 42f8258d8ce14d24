"""The prompt spec: one object per prompt id and environment, a new version's body built from the latest one, the
deletion kept to its environment, and prompt ids LiteLLM would misread refused before a write."""

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.prompt import PROMPT
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import TAG

# A listed prompt, as LiteLLM's /prompts/list answers it (api_key in the clear, no version).
LISTED = {"prompt_id": "greet", "environment": "staging", "version": None, "created_by": "u",
          "litellm_params": {"prompt_id": "greet", "prompt_integration": "dotprompt", "api_base": None,
                             "api_key": "sk-stored", "provider_specific_query_params": None,
                             "ignore_prompt_manager_model": False, "ignore_prompt_manager_optional_params": False,
                             "dotprompt_content": "Hi {{name}}"},
          "prompt_info": {"prompt_type": "db", "environment": "staging", "owner": "team-a"}}


def test_shape_names_the_prompt_in_its_environment():
    raw = PROMPT.shape(LISTED)
    assert raw["prompt_ref"] == "greet::staging"
    # a create answers with the versioned id: the engine's id is the same
    created = PROMPT.shape(dict(LISTED, prompt_id="greet.v3", version=3))
    assert (created["prompt_id"], created["prompt_ref"]) == ("greet", "greet::staging")
    # a prompt stored without environment is LiteLLM's default one
    assert PROMPT.shape(dict(LISTED, environment=None, prompt_info={}))["prompt_ref"] == "greet::development"
    assert PROMPT.key_filters({"prompt_id": "greet"}) == {"environment": "development"}


@pytest.mark.parametrize("desired, changed", [
    ({"dotprompt_content": "Hi {{name}}"}, []),
    ({"dotprompt_content": "Hello {{name}}"}, ["dotprompt_content"]),
    ({"ignore_prompt_manager_model": False}, []),
    ({"ignore_prompt_manager_model": True}, ["ignore_prompt_manager_model"]),
    ({"provider_api_key": "sk-other"}, []),  # write-only: never compared
    ({"environment": "staging", "prompt_integration": "dotprompt"}, []),
])
def test_changes(desired, changed):
    view = PROMPT.view(PROMPT.shape(LISTED))
    assert "provider_api_key" not in view
    assert sorted(PROMPT.changes(PROMPT.desired(desired), view)) == changed


def test_new_version_starts_from_the_latest_one():
    raw = PROMPT.shape(LISTED)
    body = PROMPT.payload(PROMPT.update_options({"prompt_id": "greet", "dotprompt_content": "New"},
                                                {"dotprompt_content": "New"}, {}), raw)
    assert body == {"prompt_id": "greet",
                    "litellm_params": {"prompt_id": "greet", "prompt_integration": "dotprompt", "api_key": "sk-stored",
                                       "ignore_prompt_manager_model": False,
                                       "ignore_prompt_manager_optional_params": False, "dotprompt_content": "New"},
                    "prompt_info": {"prompt_type": "db", "environment": "staging", "owner": "team-a"}}


def test_create_body_defaults_to_dotprompt_in_development():
    body = PROMPT.payload(PROMPT.desired({"prompt_id": "greet", "dotprompt_content": "Hi",
                                          "provider_api_key": "sk-new"}))
    assert body == {"prompt_id": "greet",
                    "litellm_params": {"prompt_id": "greet", "prompt_integration": "dotprompt", "api_key": "sk-new",
                                       "dotprompt_content": "Hi"},
                    "prompt_info": {"prompt_type": "db", "environment": "development"}}


def test_delete_names_the_prompt_and_keeps_to_its_environment():
    raw = PROMPT.shape(LISTED)
    assert PROMPT.delete.for_object(raw, PROMPT.id_field) == ("/prompts/greet", {"environment": "staging"})
    assert PROMPT.update.for_object(raw, PROMPT.id_field) == ("/prompts/greet", None)
    # an Endpoint of one id is unchanged: {id} is the object's id, quoted
    assert Endpoint("DELETE", "/tag/{id}").for_object({"name": "a/b"}, "name") == ("/tag/a%2Fb", None)


def test_the_engine_id_is_no_option():
    assert PROMPT.lookup_options == ("prompt_id",)
    assert "prompt_ref" not in PROMPT.argument_spec()
    assert TAG.lookup_options == (TAG.key_field,)


@pytest.mark.parametrize("prompt_id, mark, kept", [("my.vault", ".v", "my"), ("greet_v2", "_v", "greet")])
def test_version_marks_are_refused(prompt_id, mark, kept):
    with pytest.raises(ValidationError) as exc:
        PROMPT.desired({"prompt_id": prompt_id})
    assert str(exc.value) == ("prompt_id '%s' must not contain '%s': LiteLLM reads what follows it as a version "
                              "number, and would keep the prompt as '%s'" % (prompt_id, mark, kept))


def test_config_prompts_are_read_only():
    assert PROMPT.read_only(dict(LISTED, prompt_info={"prompt_type": "config"})).startswith(
        "it is defined in the proxy's config file (prompts)")
    assert PROMPT.read_only(LISTED) is None
