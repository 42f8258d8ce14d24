"""LiteLLMModelDiscovery end to end: Kubernetes API emulator + ``python -m llmops_operator`` + the real LiteLLM + the
tests' OpenAI-compatible upstream.

A discovery projects one owner-referenced LiteLLMModel per model the upstream lists and the filters keep (a
LiteLLMModel of a child's name written by hand is left alone and reported); the children put the models into
LiteLLM; a model gone upstream loses its child and its LiteLLM model on the next reconcile; deleting the discovery
deletes the children (ownerReferences) and their models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.stack import LiteLLMProxy
from tests.lib.upstream import UpstreamServer
from tests.operator.conftest import (
    Cluster,
    condition,
    external_instance,
    is_true,
    operator_watches,
    start_operator,
    unique,
    wait_for,
)

pytestmark = pytest.mark.slow(60)

TRIGGER = "litellm.llmops.dev/reconcile-requested"


@pytest.fixture
def upstream() -> Iterator[UpstreamServer]:
    server = UpstreamServer().start()
    yield server
    server.stop()


def models_named(proxy: LiteLLMProxy, prefix: str) -> dict[str, dict[str, Any]]:
    listed = proxy.api("GET", "/v2/model/info", params={"size": 1000}).json()["data"]
    return {m["model_name"]: m for m in listed if m["model_name"].startswith(prefix)}


def test_discovery_projects_owned_model_children(kube_api: KubeCluster, k8s: Cluster, operator_crds: list[dict[str, Any]],
                                                 litellm_proxy: LiteLLMProxy, upstream: UpstreamServer,
                                                 tmp_path) -> None:
    namespace, prefix = k8s.namespace(unique("disc")), unique("disc")
    provider_key = "sk-provider-" + unique("value")
    upstream.models = ["m-chat", "m-code", "m-embed", "other"]
    external_instance(k8s, namespace, "gw", litellm_proxy.url, litellm_proxy.master_key)
    k8s.secret(namespace, "provider", {"api-key": provider_key})
    # a LiteLLMModel written by hand with the name a child would get: never taken over
    k8s.create("LiteLLMModel", namespace, "up-m-code", {
        "instanceRef": {"name": "gw"}, "modelName": f"{prefix}-hand", "litellmParams": {"model": "openai/hand"}})
    watches = operator_watches(tmp_path / "watches.yaml", only=("LiteLLMModel", "LiteLLMModelDiscovery"))
    try:
        with start_operator(kube_api, tmp_path, watches, namespaces=(namespace,), args=("--standalone",)):
            k8s.create("LiteLLMModelDiscovery", namespace, "up", {
                "instanceRef": {"name": "gw"}, "apiBase": upstream.url, "prefix": prefix,
                "providerApiKeySecretRef": {"name": "provider", "key": "api-key"},
                "filters": {"include": ["m-"], "exclude": ["m-embed"]}, "modelInfo": {"team": "research"}})
            discovery = wait_for(lambda: (body := k8s.get("LiteLLMModelDiscovery", namespace, "up")) and is_true(body, "Ready")
                                 and body, "the discovery Ready")
            status = discovery["status"]
            assert status["discoveredCount"] == 2 and status["generatedCount"] == 1, status
            assert status["generatedChildren"] == ["up-m-chat"]
            assert status["skippedCandidates"] == [{"name": "up-m-code", "reason": "ExplicitModelExists"}]
            child = k8s.get("LiteLLMModel", namespace, "up-m-chat")
            assert child is not None
            (owner,) = child["metadata"]["ownerReferences"]
            assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
                "LiteLLMModelDiscovery", "up", discovery["metadata"]["uid"], True)
            assert child["spec"]["modelName"] == f"{prefix}.m-chat"
            assert child["spec"]["litellmParams"] == {"model": "openai/m-chat", "apiBase": upstream.url}
            assert child["spec"]["modelInfo"] == {"team": "research"}
            hand = k8s.get("LiteLLMModel", namespace, "up-m-code")
            assert hand["spec"]["modelName"] == f"{prefix}-hand" and not hand["metadata"].get("ownerReferences")

            live = wait_for(lambda: models_named(litellm_proxy, f"{prefix}.").get(f"{prefix}.m-chat"), "LiteLLM has the model")
            assert live["litellm_params"]["model"] == "openai/m-chat"
            assert live["litellm_params"]["api_base"] == upstream.url
            assert set(upstream.listings) - {None} == {f"Bearer {provider_key}"}
            assert provider_key not in str(discovery) + str(child)

            # a new model upstream and a model gone: the next reconcile (here asked for) follows the provider
            upstream.models = ["m-new", "other"]
            k8s.patch("LiteLLMModelDiscovery", namespace, "up", {"metadata": {"annotations": {TRIGGER: "1"}}})
            wait_for(lambda: k8s.get("LiteLLMModel", namespace, "up-m-chat") is None, "the child of the gone model deleted")
            wait_for(lambda: sorted(models_named(litellm_proxy, f"{prefix}.")) == [f"{prefix}.m-new"],
                     "LiteLLM follows: m-chat deleted, m-new created")
            assert k8s.get("LiteLLMModel", namespace, "up-m-code") is not None, "the model written by hand stays"

            k8s.delete("LiteLLMModelDiscovery", namespace, "up")
            wait_for(lambda: k8s.get("LiteLLMModel", namespace, "up-m-new") is None, "the children deleted with the discovery")
            wait_for(lambda: models_named(litellm_proxy, f"{prefix}.") == {}, "their models deleted from LiteLLM")
            assert condition(k8s.get("LiteLLMModel", namespace, "up-m-code"), "Ready")["status"] == "True"
    finally:
        for model in models_named(litellm_proxy, prefix).values():
            litellm_proxy.api("POST", "/model/delete", json={"id": model["model_info"]["id"]})
