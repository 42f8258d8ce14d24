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
from ansible_collections.llmops.litellm.plugins.module_utils._module import unsupported
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
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
