"""Every LiteLLMInstance example of PalenaAI's README, given to the role as ``proxy_kubernetes_instance``.

The README's quickstart instance is covered by test_proxy_kubernetes.py; here are the other eleven (non-root,
IP allow-list, RBAC, OpenShift Route, Gateway API HTTPRoute, observability, CloudNativePG backups, tag routing,
fallback chains, response caching, auto-rollback), each spec copied from the README with its ``# ... rest of spec``
filled in by the quickstart's. Each example is three plays: check mode on the new instance (changed, nothing
created), apply, apply again (nothing changed); its rendered built-in manifests, the migration Job included, are valid
Kubernetes 1.28 and 1.37. The namespace holds the README's namespace-wide licence Secret ``litellm-license`` (IP
allow-list, role permissions and key generation rules are Enterprise features).

The examples' plays run in four ansible-playbook runs side by side (a few examples each, one after the other), and
what check mode left behind is read with kubernetes.core's ``k8s`` lookup in one task: a run of its own per example
and a ``k8s_info`` module run per read cost ~3.5 CPU-s more per example (docs/test-suite.md).
"""

from __future__ import annotations

import concurrent.futures
import json
from typing import Any

import kubernetes
import pytest
import yaml

from tests.integration.proxy_kubernetes_helpers import ROLE, applied, changes, run, task
from tests.integration.test_proxy_kubernetes import namespace
from tests.lib import palenaai
from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.kubeapi.validate import KUBERNETES_VERSIONS, validate_manifest
from tests.lib.playbook import PlaybookResult

__all__ = ["namespace"]

pytestmark = pytest.mark.slow(200)

QUICKSTART = yaml.safe_load("""
replicas: 2
masterKey:
  autoGenerate: true
database:
  external:
    connectionSecretRef:
      name: litellm-db-credentials
      key: DATABASE_URL
service:
  type: ClusterIP
  port: 4000
""")
# The spec of each example, as the README writes it.
EXAMPLES: dict[str, str] = {
    "non-root": """
security:
  runAsNonRoot: true
""",
    "ip-allowlist": """
security:
  ipAllowlist:
    enabled: true
    allowedIPs:
      - "10.0.0.0/8"
      - "192.168.1.0/24"
      - "203.0.113.50"
    useXForwardedFor: true  # required behind load balancers
""",
    "rbac": """
rbac:
  enabled: true
  adminOnlyRoutes:
    - /model/new
    - /model/delete
  allowedRoutes:
    - /chat/completions
    - /embeddings
    - /key/info
  defaultTeamDisabled: true   # force team-based keys
  keyGeneration:              # enterprise
    teamKeyGeneration:
      allowedTeamMemberRoles: ["admin"]
  rolePermissions:            # enterprise
    internal_user:
      routes: ["/key/generate", "/key/info"]
      models: ["gpt-4", "claude-3-haiku"]
""",
    "route": """
route:
  enabled: true
  host: litellm.apps.example.com
  tlsTermination: edge   # edge | passthrough | reencrypt
""",
    "httproute": """
gatewayHTTPRoute:
  enabled: true
  host: litellm.example.com
  parentRefs:
    - name: my-gateway       # Name of the Gateway resource
      namespace: istio-system # Optional: namespace of the Gateway
      sectionName: https     # Optional: specific listener on the Gateway
""",
    "observability": """
observability:
  serviceMonitor:
    enabled: true
    interval: "30s"
  prometheusRule:
    enabled: true
    # disabledAlerts: ["LiteLLMHighCPUUsage"]  # optionally disable specific alerts
  grafanaDashboard:
    enabled: true
    folder: "LiteLLM"
""",
    "cloudnativepg": """
database:
  cloudnativepg:
    clusterName: litellm-db
    backup:
      enabled: true
      schedule: "0 2 * * *"   # daily at 2am
      retention: 7
      method: snapshot        # snapshot or barmanObjectStore
""",
    "tag-routing": """
routerSettings:
  enableTagFiltering: true
""",
    "fallbacks": """
fallbacks:
  # Global fallbacks applied on any error
  defaultFallbacks: ["gpt-4-mini", "claude-3-haiku"]

  # Per-model fallbacks for general errors
  modelFallbacks:
    - model: gpt-4
      fallbacks: ["gpt-4-mini", "claude-3-haiku"]

  # Fallbacks for content policy violations
  contentPolicyFallbacks:
    - model: gpt-4
      fallbacks: ["claude-3-sonnet"]

  # Fallbacks for context window exceeded
  contextWindowFallbacks:
    - model: gpt-4
      fallbacks: ["gpt-4-32k", "claude-3-sonnet"]

  maxFallbacks: 3

routerSettings:
  # Retry policy by error type (retries on same model before fallback)
  retryPolicy:
    TimeoutError: 2
    RateLimitError: 3
    ContentPolicyViolationError: 0
  # Per-model-group retry overrides
  modelGroupRetryPolicy:
    gpt-4:
      TimeoutError: 1
      RateLimitError: 0
""",
    "caching": """
caching:
  enabled: true
  type: redis             # redis, redis-semantic, s3, gcs, qdrant, local
  ttl: 600                # cache TTL in seconds
  namespace: "my-app"     # key isolation namespace
  mode: default_on        # default_on or default_off
  supportedCallTypes:     # restrict to specific call types
    - acompletion
    - aembedding
  redis:
    host: redis.example.com
    port: 6379
    passwordSecretRef:
      name: redis-secret
      key: password
    ssl: true
""",
    "auto-rollback": """
upgrade:
  strategy: rolling
  autoRollback: true
  healthCheckTimeout: "300s"
""",
}
# What each example must have put in the objects (beyond applying cleanly).
OPTIONAL = {"route": ["Route/route"], "httproute": ["HTTPRoute/httproute"],
            "observability": ["ServiceMonitor/observability", "PrometheusRule/observability", "ConfigMap/observability-grafana-dashboard"],
            "cloudnativepg": ["Cluster/litellm-db", "ScheduledBackup/cloudnativepg-backup"]}
BASE_OBJECTS = ["ServiceAccount/{}", "ConfigMap/{}-config", "Deployment/{}", "Service/{}"]


def test_the_examples_are_the_readmes_instance_manifests_whole() -> None:
    """The quickstart and EXAMPLES are exactly the README's twelve LiteLLMInstance specs, each read whole (a copy
    cut short at a blank line, or an example left out, fails here)."""
    def canonical(specs: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps(spec, sort_keys=True) for spec in specs)

    readme = [m["spec"] for m in palenaai.manifests() if m["kind"] == "LiteLLMInstance"]
    assert len(readme) == 12
    assert canonical(readme) == canonical([QUICKSTART, *(yaml.safe_load(text) for text in EXAMPLES.values())])


def example_plays(namespace: str, name: str) -> list[dict[str, Any]]:
    """Check mode on the new instance, then a read of what exists; apply; apply again. The plays are named
    ``check``, ``apply`` and ``again`` followed by the example's name (several examples share a run)."""
    spec = QUICKSTART | yaml.safe_load(EXAMPLES[name])

    def include(check: bool = False) -> dict[str, Any]:
        entry = {"name": "role", "ansible.builtin.include_role": {"name": ROLE},
                 "vars": {"proxy_kubernetes_namespace": namespace, "proxy_kubernetes_name": name, "proxy_kubernetes_instance": spec}}
        return {"name": "check mode", "block": [entry], "check_mode": True} if check else entry

    # the instance's ConfigMaps (by its label) and its Deployment (by name), as lists: empty when there is none
    configmaps = (f"{{{{ query('kubernetes.core.k8s', api_version='v1', kind='ConfigMap', namespace='{namespace}', "
                  f"label_selector='app.kubernetes.io/instance={name}') }}}}")
    deployments = (f"{{{{ query('kubernetes.core.k8s', api_version='apps/v1', kind='Deployment', namespace='{namespace}', "
                   f"resource_name='{name}') }}}}")
    read = {"name": "read", "ansible.builtin.set_fact": {"configmaps": configmaps, "deployments": deployments}}
    return [{"name": f"check {name}", "hosts": "localhost", "gather_facts": False, "tasks": [include(check=True), read]},
            {"name": f"apply {name}", "hosts": "localhost", "gather_facts": False, "tasks": [include()]},
            {"name": f"again {name}", "hosts": "localhost", "gather_facts": False, "tasks": [include()]}]


def one_example(result: PlaybookResult, name: str) -> PlaybookResult:
    """The plays of one example in a run of several, named ``check``, ``apply`` and ``again`` again."""
    plays = [dict(play, play=dict(play["play"], name=play["play"]["name"].rsplit(" ", 1)[0]))
             for play in result.plays if play["play"]["name"].rsplit(" ", 1)[-1] == name]
    assert [play["play"]["name"] for play in plays] == ["check", "apply", "again"], (name, result.stdout[-3000:])
    return PlaybookResult(result.rc, result.stdout, result.stderr, plays, result.stats)


@pytest.fixture(scope="module")
def examples(kube_api: KubeCluster, namespace: str) -> dict[str, PlaybookResult]:
    with kube_api.client() as api:
        kubernetes.client.CoreV1Api(api).create_namespaced_secret(namespace, {
            "metadata": {"name": "litellm-license"}, "stringData": {"license-key": "a-licence-for-the-tests"}})
    names = list(EXAMPLES)
    runs = [names[i::4] for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(runs)) as pool:
        futures = [pool.submit(run, kube_api, [play for name in group for play in example_plays(namespace, name)])
                   for group in runs]
        results = [future.result() for future in futures]
    return {name: one_example(result, name) for group, result in zip(runs, results) for name in group}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_applies_once_and_check_mode_writes_nothing(examples: dict[str, PlaybookResult], name: str) -> None:
    result = examples[name]
    expected = {pattern.format(name) for pattern in BASE_OBJECTS} | set(OPTIONAL.get(name, []))
    assert task(result, "check", "Apply the manifests")["changed"]
    assert task(result, "check", "read")["ansible_facts"] == {"configmaps": [], "deployments": []}
    assert {obj for obj, r in applied(result, "apply").items() if r["changed"]} == expected
    assert changes(result, "again") == set()


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_example_manifests_are_valid_kubernetes(examples: dict[str, PlaybookResult], version: str) -> None:
    built_in = ("v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1")
    for name, result in examples.items():
        facts = task(result, "apply", "Render the manifests")["ansible_facts"]
        manifests = [*facts["proxy_kubernetes_objects"], facts["proxy_kubernetes_migration_job"]]
        assert facts["proxy_kubernetes_migration_job"]["kind"] == "Job", name
        for obj in manifests:
            if obj["apiVersion"] in built_in:
                validate_manifest(obj, version)


def rendered(examples: dict[str, PlaybookResult], name: str) -> dict[str, dict[str, Any]]:
    return {f"{r['result']['kind']}/{r['result']['metadata']['name']}": r["result"] for r in applied(examples[name], "apply").values()}


def test_each_example_reaches_its_objects(examples: dict[str, PlaybookResult]) -> None:
    pod = rendered(examples, "non-root")["Deployment/non-root"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 65534 and pod["containers"][0]["image"].startswith("ghcr.io/berriai/litellm-non_root:")
    config = {name: yaml.safe_load(rendered(examples, name)[f"ConfigMap/{name}-config"]["data"]["proxy_server_config.yaml"])
              for name in ("ip-allowlist", "rbac", "tag-routing", "fallbacks", "caching")}
    assert config["ip-allowlist"]["general_settings"]["allowed_ips"] == ["10.0.0.0/8", "192.168.1.0/24", "203.0.113.50"]
    assert config["rbac"]["general_settings"]["admin_only_routes"] == ["/model/new", "/model/delete"]
    assert config["tag-routing"]["router_settings"]["enable_tag_filtering"] is True
    assert config["fallbacks"]["router_settings"]["retry_policy"]["TimeoutErrorRetries"] == 2
    assert config["fallbacks"]["router_settings"]["context_window_fallbacks"] == [{"gpt-4": ["gpt-4-32k", "claude-3-sonnet"]}]
    assert config["caching"]["litellm_settings"]["cache_params"]["password"] == "os.environ/CACHING_REDIS_PASSWORD"
    env = {e["name"]: e for e in rendered(examples, "caching")["Deployment/caching"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["CACHING_REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "redis-secret", "key": "password"}
    licensed = {e["name"]: e for e in rendered(examples, "rbac")["Deployment/rbac"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert licensed["LITELLM_LICENSE"]["valueFrom"]["secretKeyRef"] == {"name": "litellm-license", "key": "license-key"}
    assert rendered(examples, "route")["Route/route"]["spec"]["tls"]["termination"] == "edge"
    assert rendered(examples, "httproute")["HTTPRoute/httproute"]["spec"]["parentRefs"][0]["sectionName"] == "https"
    assert rendered(examples, "observability")["ServiceMonitor/observability"]["spec"]["endpoints"][0]["interval"] == "30s"
    assert rendered(examples, "cloudnativepg")["ScheduledBackup/cloudnativepg-backup"]["spec"]["schedule"] == "0 0 2 * * *"
    rollout = rendered(examples, "auto-rollback")["Deployment/auto-rollback"]["spec"]
    assert (rollout["progressDeadlineSeconds"], rollout["strategy"]["type"]) == (300, "RollingUpdate")
