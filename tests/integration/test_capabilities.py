"""The engine's capability check against the real proxies: what a Requires names is found out by asking them.

A resource spec that needs an API path no LiteLLM has is built here and checked in-process with the engine's own
function and client against the real proxy's /openapi.json, so no module or proxy has to be faked. The licence
check is asked of both proxies (the licensed twin has LiteLLM's Enterprise check switched on, TEST ONLY). The same
check through a module, in check mode and in a real run, is in test_virtual_key.py (rotation without a licence).
"""

from __future__ import annotations

import sys

import pytest

from tests.lib.playbook import ensure_collection_link

sys.path.insert(0, str(ensure_collection_link()))

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires, unsupported
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint, Resource
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import VIRTUAL_KEY

NOWHERE = Resource(kind="widget", plural="widgets", id_field="widget_id", key_field="widget_name", fields=[],
                   create=Endpoint("POST", "/widget/new"), update=Endpoint("POST", "/key/update"),
                   delete=Endpoint("POST", "/widget/delete"), get=None,
                   find=Endpoint("GET", "/widget/list"), requires=Requires())


class CountingClient(Client):
    """The engine's client, counting the GETs it sends (to see what is asked once per run)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []

    def get(self, path, params=None):
        self.asked.append(path)
        return super().get(path, params=params)


def client(proxy) -> CountingClient:
    return CountingClient(proxy.url, proxy.master_key, check_mode=True)


def test_paths_the_proxy_lacks_are_named_in_one_sentence(litellm_proxy):
    asking = client(litellm_proxy)
    assert unsupported(asking, NOWHERE.requires, "widget", NOWHERE) == (
        "widget needs POST /widget/new, POST /widget/delete, GET /widget/list of the LiteLLM API, which this proxy "
        "does not offer (its /openapi.json lacks them)")
    assert unsupported(asking, NOWHERE.requires, "widget", NOWHERE, read_only=True) == (
        "widget needs GET /widget/list of the LiteLLM API, which this proxy does not offer (its /openapi.json lacks "
        "it)")
    assert unsupported(asking, Requires(paths=["DELETE /key/generate"]), "x") == (
        "x needs DELETE /key/generate of the LiteLLM API, which this proxy does not offer (its /openapi.json lacks "
        "it)"), "a path with another method"
    assert asking.asked == ["/openapi.json"], "asked once per client (one module run)"


@pytest.mark.parametrize("resource", [CREDENTIAL, MODEL, VIRTUAL_KEY], ids=lambda r: r.kind)
def test_this_litellm_offers_what_the_modules_need(litellm_proxy, resource):
    assert unsupported(client(litellm_proxy), resource.requires, resource.kind, resource) is None


def test_licence_is_asked_of_the_proxy(litellm_proxy, litellm_proxy_premium):
    rotation = Requires(paths=["POST /key/{key}/regenerate"], enterprise=True)
    assert unsupported(client(litellm_proxy), rotation, "rotating a virtual key") == (
        "rotating a virtual key needs a LiteLLM Enterprise licence (this proxy reports licence type 'community' at "
        "/health/license)")
    assert unsupported(client(litellm_proxy_premium), rotation, "rotating a virtual key") is None


def test_enterprise_options_are_refused_before_any_write(litellm_proxy, tmp_path):
    """LiteLLM keeps some options of teams and keys for Enterprise users (its MetadataFields_Premium: tags,
    guardrails, ...). Without a licence the module and gateway_state refuse them with the licence sentence, in check
    mode too, before any write (the operator makes that sentence a permanent EnterpriseLicenseRequired); an empty
    value is no request for the feature and goes through, as LiteLLM lets it."""
    import uuid

    from tests.integration.test_gateway_state import Play
    from tests.lib.recording_proxy import RecordingProxy

    prefix = f"it_ent_{uuid.uuid4().hex[:8]}_"
    team, key = prefix + "team", prefix + "key"
    with RecordingProxy(litellm_proxy.url) as recorder:
        play = Play(recorder, litellm_proxy.master_key, tmp_path)
        steps = {
            "team tags": ("team", dict(team_alias=team, tags=["paid"])),
            "team tags (check)": ("team", dict(team_alias=team, tags=["paid"])),
            "team key duration": ("team", dict(team_alias=team, team_member_key_duration="7d")),
            "key guardrails": ("virtual_key", dict(key_alias=key, guardrails=["pii"], key_file=str(tmp_path / "k"))),
        }
        for step, (kind, options) in steps.items():
            play.mark(step)
            task = {"name": step, f"llmops.litellm.{kind}": options, "ignore_errors": True}
            if step.endswith("(check)"):
                task["check_mode"] = True
            play.tasks.append(task)
        play.state("gateway team tags", {"teams": [{"team_alias": team, "guardrails": ["pii"]}]})
        play.mark("team no tags")
        play.tasks.append({"name": "team no tags", "llmops.litellm.team": dict(team_alias=team, tags=[])})
        play.mark("cleanup")
        play.tasks.append({"name": "cleanup", "llmops.litellm.team": dict(team_alias=team, state="absent")})
        play.run()
    for step, sentence in (("team tags", "tags of a team"), ("team tags (check)", "tags of a team"),
                           ("team key duration", "team_member_key_duration of a team"),
                           ("key guardrails", "guardrails of a virtual_key"),
                           ("gateway team tags", "teams[0]: guardrails of a team")):
        result = play[step]
        assert result.get("failed"), (step, result)
        assert f"{sentence} needs a LiteLLM Enterprise licence (this proxy reports licence type" in result["msg"], (
            step, result["msg"])
        assert play.writes(step) == [], (step, play.writes(step))
    assert play["team no tags"]["changed"] and play.writes("team no tags") == [("POST", "/team/new")]
    assert play["cleanup"]["changed"]


# Options a newer LiteLLM added, each with a value and the first release that has it (GenericLiteLLMParams,
# ModelInfo, NewTeamRequest and AccessGroupCreateRequest of each release on PyPI). An older LiteLLM drops them
# without a word (1.106.2 creates the team without its require_trace_id), so the engine refuses them there.
NEWER_OPTIONS = {
    "team require_trace_id": ("team", "require_trace_id of a team", "1.108.0", dict(require_trace_id=True)),
    "access group mcp_tool_permissions": ("access_group", "mcp_tool_permissions of an access_group", "1.108.0",
                                          dict(mcp_tool_permissions={"it-server": ["list_issues", "get_issue"]})),
    "access group access_skill_names": ("access_group", "access_skill_names of an access_group", "1.108.0",
                                        dict(access_skill_names=["it-skill"])),
    "model rpd/tpd": ("model", "litellm_params.rpd of a model", "1.109.0",
                      dict(litellm_params={"model": "openai/gpt-4o", "mock_response": "hi", "rpd": 1000, "tpd": 100000})),
    "model model_info": ("model", "model_info.max_embedding_batch_size of a model", "1.109.0",
                         dict(litellm_params={"model": "openai/gpt-4o", "mock_response": "hi"},
                              model_info={"max_embedding_batch_size": 16})),
}
KEY_OPTION = {"team": "team_alias", "access_group": "access_group_name", "model": "model_name"}


def proxy_version(proxy) -> str:
    return proxy.api("GET", "/health/readiness/details").json()["litellm_version"]


def test_options_a_newer_litellm_added(litellm_proxy, tmp_path):
    """On a LiteLLM older than the release that added an option, the module and gateway_state refuse it with the
    version sentence, in check mode too, before any write; on a newer one the option is applied and read back
    (a second run changes nothing), then removed."""
    import uuid

    from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import older_than
    from tests.integration.test_gateway_state import Play
    from tests.lib.recording_proxy import RecordingProxy

    version = proxy_version(litellm_proxy)
    prefix = f"it_new_{uuid.uuid4().hex[:8]}_"
    with RecordingProxy(litellm_proxy.url) as recorder:
        play = Play(recorder, litellm_proxy.master_key, tmp_path)
        for index, (step, (kind, _what, _first, options)) in enumerate(NEWER_OPTIONS.items()):
            name = {KEY_OPTION[kind]: f"{prefix}{index}"}
            for suffix, check in (("(check)", True), ("", False), ("(again)", False)):
                play.mark(f"{step} {suffix}")
                task = {"name": f"{step} {suffix}", f"llmops.litellm.{kind}": dict(name, **options),
                        "ignore_errors": True}
                if check:
                    task["check_mode"] = True
                play.tasks.append(task)
            play.mark(f"{step} cleanup")
            play.tasks.append({"name": f"{step} cleanup", f"llmops.litellm.{kind}": dict(name, state="absent")})
        play.state("gateway", {"teams": [{"team_alias": prefix + "gw", "require_trace_id": True}]})
        play.state("gateway cleanup", {"teams": [{"team_alias": prefix + "gw", "state": "absent"}]})
        play.run()
    for step, (kind, what, first, _options) in NEWER_OPTIONS.items():
        if older_than(version, first):
            sentence = (f"{what} needs LiteLLM {first} or newer, which this proxy is not (it reports version "
                        f"{version} at /health/readiness/details)")
            for suffix in ("(check)", "", "(again)"):
                result = play[f"{step} {suffix}"]
                assert result.get("failed") and sentence in result["msg"], (step, result)
                assert play.writes(f"{step} {suffix}") == [], step
            assert not play[f"{step} cleanup"]["changed"], step
        else:
            assert play[f"{step} (check)"]["changed"] and play.writes(f"{step} (check)") == [], step
            assert play[f"{step} "]["changed"] and not play[f"{step} "].get("failed"), (step, play[f"{step} "])
            assert not play[f"{step} (again)"]["changed"], (step, play[f"{step} (again)"])
            assert play[f"{step} cleanup"]["changed"], step
    if older_than(version, "1.108.0"):
        assert play["gateway"].get("failed") and "teams[0]: require_trace_id of a team needs LiteLLM 1.108.0" in \
            play["gateway"]["msg"], play["gateway"]
        assert play.writes("gateway") == []
    else:
        assert play["gateway"]["changed"] and not play["gateway"].get("failed"), play["gateway"]
        assert play["gateway cleanup"]["changed"]
