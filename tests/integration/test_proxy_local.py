"""The role proxy_local on the run's shared stack, which it brought up, and on its premium twin.

The checks that run, stop and restart a stack of their own run on the quickstart's (test_quickstart.py), so that
one deployment serves both and the shared stack keeps serving the other workers' tests.
"""

from __future__ import annotations

import os

from tests.lib.stack import LiteLLMProxy


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
