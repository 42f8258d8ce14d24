"""The operator mints a virtual key's value with the module's generator: one generator, one format.

playbooks/operator/virtual_key.yml makes the value of a new key with the lookup ``llmops.litellm.new_virtual_key``,
which calls ``_virtual_key.new_key`` (what the virtual_key module and gateway_state use). One ansible-playbook run
against the real LiteLLM (plain proxy) and the Kubernetes API emulator: the virtual_key module mints a key
(``return_key``), the operator's playbook mints another into its Secret; both have the same format, and LiteLLM
holds each under the SHA-256 of its value.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

from tests.lib.kubeapi.fixtures import KubeCluster
from tests.lib.playbook import run_playbook
from tests.operator.test_playbooks import CR, LiteLLM, Secrets, keep_status, ok

# The format of _virtual_key.new_key: "sk-" and 16 random bytes in URL-safe base64 (22 characters, no padding).
MODULE_FORMAT = re.compile(r"sk-[A-Za-z0-9_-]{22}")


def key_format(value: str) -> tuple[str, int, bool]:
    """What a value's format is made of: its prefix, its length, whether it is URL-safe base64 after the prefix."""
    return value[:3], len(value), bool(re.fullmatch(r"[A-Za-z0-9_-]+", value[3:]))


def test_operator_mints_keys_in_the_module_format(litellm_proxy: Any, kube_api: KubeCluster,
                                                  kube_namespace: str, tmp_path: Path) -> None:
    proxy, alias = litellm_proxy, f"pbk-{uuid.uuid4().hex[:8]}"
    env = {"LITELLM_PROXY_URL": proxy.url, "LITELLM_PROXY_API_KEY": proxy.master_key, **kube_api.env}
    cr = CR("key", "virtual_key", "minted", {"instanceRef": {"name": "gw"}, "keyAlias": alias + "-operator"})
    mint = {"name": "mint", "llmops.litellm.virtual_key": {"key_alias": alias + "-module", "return_key": True},
            "register": "minted", "no_log": True}
    keep = {"name": "keep it", "no_log": True,
            "ansible.builtin.copy": {"content": "{{ minted.key }}", "dest": "{{ module_key_file }}", "mode": "0600"}}
    module_play = {"name": "the module mints a key", "hosts": "localhost", "gather_facts": False,
                   "tasks": [mint, keep]}
    litellm, secrets = LiteLLM(proxy), Secrets(kube_api, kube_namespace)
    key_file = tmp_path / "module-key"
    try:
        result = run_playbook([module_play, cr.imported(kube_namespace), keep_status(cr.label)],
                              env={**env, "ANSIBLE_SHOW_CUSTOM_STATS": "1"},
                              extra_vars={"module_key_file": str(key_file)})
        ok(result)
        module_value = key_file.read_text().strip()
        operator_value = secrets.value("minted-key")
        assert MODULE_FORMAT.fullmatch(module_value), "the module's generator changed: update MODULE_FORMAT"
        assert key_format(operator_value) == key_format(module_value)
        assert MODULE_FORMAT.fullmatch(operator_value)
        assert operator_value != module_value
        for value in (module_value, operator_value):
            assert litellm.key(hashlib.sha256(value.encode()).hexdigest()) is not None
    finally:
        for suffix in ("-module", "-operator"):
            if litellm.key_by_alias(alias + suffix):
                proxy.api("POST", "/key/delete", json={"key_aliases": [alias + suffix]})
                assert litellm.key_by_alias(alias + suffix) is None
