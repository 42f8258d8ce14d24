"""The pure rules of model discovery: filters, names, model objects, models of others left alone."""

from __future__ import annotations

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils import _model_discovery as discovery
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError

IDS = ["gpt-4o", "gpt-4o-mini", "gpt-4o-audio", "text-embedding-3", "o1"]


@pytest.mark.parametrize(("include", "exclude", "kept"), [
    ([], [], IDS),
    (["gpt-4o"], [], ["gpt-4o", "gpt-4o-mini", "gpt-4o-audio"]),          # anchored at the start, not the whole id
    (["gpt-4o$"], [], ["gpt-4o"]),
    (["4o"], [], None),                                                   # matched from the start: nothing
    (["gpt-", "o1"], ["gpt-4o-audio", "text"], ["gpt-4o", "gpt-4o-mini", "o1"]),
    (["gpt-4o"], ["gpt"], []),                                            # include first, then exclude
    ([], ["zzz"], IDS),                                                   # an exclude matching nothing is fine
])
def test_select(include, exclude, kept):
    if kept is None:
        with pytest.raises(ValidationError, match="include: no model the provider lists matches '4o'"):
            discovery.select(IDS, include, exclude)
    else:
        assert discovery.select(IDS, include, exclude) == kept


@pytest.mark.parametrize(("template", "error"), [
    ("{prefix}.{id}", None),
    ("{id}", None),
    ("{provider}/{id}", None),
    ("{prefix}", "must contain {id}"),
    ("{id}-{model}", "unknown placeholder {model}"),
    ("{id", "is not a valid template"),
])
def test_check_template(template, error):
    if error is None:
        discovery.check_template(template)
    else:
        with pytest.raises(ValidationError, match="name_template: .*" + error.replace("{", r"\{").replace("}", r"\}")):
            discovery.check_template(template)


def test_bad_pattern_is_named():
    with pytest.raises(ValidationError, match=r"exclude\[1\]: '\(' is not a valid regular expression"):
        discovery.compile_patterns("exclude", ["ok", "("])


def params(**more):
    base = dict(api_base="http://vllm:8000/v1", litellm_provider="hosted_vllm", prefix=None,
                name_template=discovery.DEFAULT_TEMPLATE, litellm_params=None, model_info=None, model_provider_api_key=None)
    base.update(more)
    return base


def test_model_objects():
    assert discovery.model_objects(["llama"], params()) == [{
        "model_name": "hosted_vllm.llama",
        "litellm_params": {"model": "hosted_vllm/llama", "api_base": "http://vllm:8000/v1"}}]
    (obj,) = discovery.model_objects(["llama"], params(
        prefix="", name_template="{id}", litellm_params={"api_base": "http://other/v1", "rpm": 5},
        model_info={"team": "r"}, model_provider_api_key="os.environ/VLLM_KEY"))
    assert obj == {"model_name": "llama", "litellm_params": {"model": "hosted_vllm/llama", "api_base": "http://other/v1",
                                                             "rpm": 5},
                   "model_info": {"team": "r"}, "provider_api_key": "os.environ/VLLM_KEY"}


def test_split_taken_leaves_models_of_others():
    objects = discovery.model_objects(["a", "b", "c", "d"], params(name_template="{id}"))
    owner = discovery.owner_of("mine")
    live = [
        {"model_name": "a", "litellm_params": {"model": "hosted_vllm/a"}, "model_info": {"llmops_owner": owner}},
        {"model_name": "b", "litellm_params": {"model": "hosted_vllm/b"}, "model_info": {}},
        {"model_name": "c", "litellm_params": {"model": "hosted_vllm/c"}, "model_info": {"llmops_owner": "model_discovery/other"}},
        {"model_name": "d", "litellm_params": {"model": "openai/d"}, "model_info": {}},  # another provider model
    ]
    keep, skipped = discovery.split_taken(objects, live, owner)
    assert [o["model_name"] for o in keep] == ["a", "d"]
    assert skipped == [{"name": "b", "model": "hosted_vllm/b", "reason": "ExplicitModelExists"},
                       {"name": "c", "model": "hosted_vllm/c", "reason": "Conflict", "owned_by": "other"}]
