"""The proxy_local role: the run's shared stack was brought up through it; here its promises are checked.

The checks that stop and restart a stack run against this module's own stack (deployed the same way, so that
the shared one keeps serving the other workers' tests); the premium twin's against the shared stack. Skipped when
the tests reuse an external proxy, which the role did not make.
"""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
import yaml

from collections.abc import Iterator

from tests.lib.stack import Deployed, LiteLLMProxy, deploy_stack, remove_stack, stack_play
from tests.lib.playbook import REPO, run_playbook


@pytest.fixture(scope="module")
def deployed(litellm_proxy: LiteLLMProxy) -> Iterator[Deployed]:
    if litellm_proxy.workdir is None:
        pytest.skip("the tests run against an external proxy, not one made by proxy_local")
    deployed = deploy_stack(litellm_proxy.upstream_url)
    try:
        yield deployed
    finally:
        remove_stack(deployed)


@pytest.fixture(scope="module")
def stack(deployed: Deployed, litellm_proxy: LiteLLMProxy) -> LiteLLMProxy:
    return LiteLLMProxy(deployed.url, deployed.master_key, litellm_proxy.upstream, deployed.workdir, deployed.start_seconds)


@pytest.fixture(scope="module")
def role_vars(deployed: Deployed) -> dict:
    """The variables the stack was deployed with."""
    return dict(deployed.role_vars)


def pids(stack: LiteLLMProxy) -> dict[str, int | None]:
    def read(path):
        try:
            pid = int(path.read_text().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    return {
        "proxy": read(stack.workdir / "run" / "litellm.pid"),
        "postgres": read(stack.workdir / "data" / "postgresql" / "postmaster.pid"),
    }


def test_healthy_and_reports_its_start_time(stack: LiteLLMProxy) -> None:
    """The role waited for health within its own limit (proxy_local_start_timeout) and says how long it took; the
    time itself depends on the machine's load and is only printed (a timed assertion would be flaky)."""
    assert stack.api("GET", "/health/liveliness").status_code == 200
    timeout = yaml.safe_load((REPO / "roles" / "proxy_local" / "defaults" / "main.yml").read_text())["proxy_local_start_timeout"]
    assert stack.start_seconds is not None and 0 < stack.start_seconds <= timeout
    print(f"proxy start to healthy: {stack.start_seconds} s")


def test_second_run_changes_nothing(stack: LiteLLMProxy, role_vars: dict) -> None:
    before = pids(stack)
    result = run_playbook(stack_play(stack.workdir, "present", **role_vars))
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats["localhost"]["changed"] == 0, [
        t["task"]["name"] for p in result.plays for t in p["tasks"] if t["hosts"]["localhost"].get("changed")
    ]
    assert pids(stack) == before


def test_check_mode_reports_nothing_to_do(stack: LiteLLMProxy, role_vars: dict) -> None:
    result = run_playbook(stack_play(stack.workdir, "present", **role_vars), check=True, diff=True)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats["localhost"]["changed"] == 0


def test_secrets_are_private_files_and_never_printed(stack: LiteLLMProxy, role_vars: dict) -> None:
    for name in ("master_key", "salt_key", "postgres_password", "litellm.env"):
        mode = stat.S_IMODE((stack.workdir / "secrets" / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
    assert stat.S_IMODE((stack.workdir / "secrets").stat().st_mode) == 0o700
    result = run_playbook(stack_play(stack.workdir, "present", **role_vars), verbosity=3, diff=True, json_output=False)
    assert result.rc == 0
    secrets = [(stack.workdir / "secrets" / n).read_text().strip() for n in ("master_key", "salt_key", "postgres_password")]
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    for secret in secrets:
        assert secret not in ps, "a secret is visible on a process command line"


def test_absent_stops_everything_and_keeps_data(stack: LiteLLMProxy, role_vars: dict) -> None:
    alias = f"survives-restart-{os.getpid()}"
    created = stack.api("POST", "/team/new", json={"team_alias": alias})
    assert created.status_code == 200, created.text
    master_key = stack.master_key
    running = pids(stack)
    assert all(running.values())

    down = run_playbook(stack_play(stack.workdir, "absent", **role_vars))
    assert down.rc == 0, down.stdout[-3000:]
    ps = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True, check=True).stdout
    survivors = [
        line for line in ps.splitlines()[1:]
        if not line.split()[1].startswith("Z")  # a zombie has exited; its parent just has not reaped it yet
        and (str(stack.workdir) in line or line.split()[0] in map(str, running.values()))
    ]
    assert not survivors, f"processes of the stack outlived state=absent: {survivors}"
    assert sorted(p.name for p in stack.workdir.iterdir()) == ["data", "secrets"]

    again = run_playbook(stack_play(stack.workdir, "absent", **role_vars))
    assert again.rc == 0 and again.stats["localhost"]["changed"] == 0

    up = run_playbook(stack_play(stack.workdir, "present", **role_vars))
    assert up.rc == 0, up.stdout[-3000:]
    assert (stack.workdir / "secrets" / "master_key").read_text().strip() == master_key
    teams = stack.api("GET", "/team/list").json()
    assert alias in [t["team_alias"] for t in teams]


def test_existing_database_by_url(litellm_proxy: LiteLLMProxy, litellm_proxy_premium: LiteLLMProxy) -> None:
    """The premium twin runs proxy_local with proxy_local_database_url pointing at the first stack's database."""
    stack = litellm_proxy
    alias = f"shared-db-{os.getpid()}"
    created = stack.api("POST", "/team/new", json={"team_alias": alias})
    assert created.status_code == 200, created.text
    seen = litellm_proxy_premium.api("GET", "/team/info", params={"team_id": created.json()["team_id"]})
    assert seen.status_code == 200 and seen.json()["team_info"]["team_alias"] == alias
    assert not (litellm_proxy_premium.workdir / "data" / "postgresql").exists(), "an embedded PostgreSQL was made"
    stack.api("POST", "/team/delete", json={"team_ids": [created.json()["team_id"]]})


def test_premium_twin_is_licensed_and_the_first_is_not(litellm_proxy: LiteLLMProxy, litellm_proxy_premium: LiteLLMProxy) -> None:
    stack = litellm_proxy
    body = {"organization_alias": f"org-licence-probe-{os.getpid()}"}
    refused = stack.api("POST", "/organization/new", json=body)
    assert refused.status_code in (400, 403), refused.text
    created = litellm_proxy_premium.api("POST", "/organization/new", json=body)
    assert created.status_code == 200, created.text
    litellm_proxy_premium.api("DELETE", "/organization/delete", json={"organization_ids": [created.json()["organization_id"]]})


def test_check_mode_on_a_fresh_host_predicts_and_creates_nothing(stack: LiteLLMProxy, role_vars: dict, tmp_path) -> None:
    fresh = tmp_path / "fresh"
    result = run_playbook(stack_play(fresh, "present", **dict(role_vars, proxy_local_venv=str(fresh / "venv"))), check=True)
    assert result.rc == 0, result.stdout[-3000:]
    assert result.stats["localhost"]["changed"] > 0
    assert not fresh.exists(), "check mode wrote to the host"
