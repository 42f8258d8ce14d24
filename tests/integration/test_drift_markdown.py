"""playbooks/drift.yml's Markdown report against the real proxy: a document is applied, one field is changed behind
its back, and the report (and GitHub's job summary, GITHUB_STEP_SUMMARY) holds one table row naming that field
with its desired and live values; secrets are never in it, also when update_secrets=always lists them."""

from __future__ import annotations

import json
import uuid

from tests.lib.playbook import REPO, run_playbook

PLAYBOOKS = REPO / "playbooks"


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ") and "| --- |" not in line
            and not line.startswith("| Object |")]


def test_drift_report_in_markdown_names_the_changed_field_and_no_secret(litellm_proxy, tmp_path):
    proxy, prefix = litellm_proxy, f"it-md-{uuid.uuid4().hex[:6]}-"
    secret = f"sk-provider-{uuid.uuid4().hex}"
    connection = {"gateway_api_url": proxy.url, "gateway_api_key": proxy.master_key,
                  "gateway_scope": {"name_prefix": prefix}, "gateway_key_dir": str(tmp_path / "keys")}
    document = {"credentials": [{"credential_name": prefix + "cred", "credential_values": {"api_key": secret},
                                 "credential_info": {"description": "drift test"}}],
                "teams": [{"team_alias": prefix + "team", "max_budget": 5, "models": ["upstream-echo"]}]}
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    reports = {"gateway_drift_report": str(tmp_path / "drift.json"), "gateway_drift_markdown": str(tmp_path / "drift.md")}
    try:
        applied = run_playbook(PLAYBOOKS / "reconcile.yml", extra_vars=dict(connection, gateway_document=document))
        assert applied.rc == 0, applied.stdout[-3000:]
        team = proxy.api("GET", "/v2/team/list", params={"team_alias": prefix + "team"}).json()["teams"][0]
        assert proxy.api("POST", "/team/update", json={"team_id": team["team_id"], "max_budget": 6}).status_code == 200

        drift = run_playbook(PLAYBOOKS / "drift.yml", extra_vars=dict(connection, gateway_document=document, **reports),
                             env={"GITHUB_STEP_SUMMARY": str(summary)})
        assert drift.rc == 0, drift.stdout[-3000:]
        markdown = (tmp_path / "drift.md").read_text()
        assert table_rows(markdown) == [f"| `{prefix}team` | update | `max_budget` | `5.0` | `6.0` |"]
        assert "### team" in markdown and "1 object drifted from the document." in markdown
        assert summary.read_text() == "earlier step\n" + markdown
        assert json.loads((tmp_path / "drift.json").read_text())["drifted"] is True

        # update_secrets=always: the credential's secret is listed as to be sent, as a placeholder.
        always = run_playbook(PLAYBOOKS / "drift.yml", extra_vars=dict(
            connection, gateway_document=document, gateway_update_secrets="always", gateway_drift_summary_file="", **reports))
        assert always.rc == 0, always.stdout[-3000:]
        markdown_always = (tmp_path / "drift.md").read_text()
        assert f"| `{prefix}cred` | update | `credential_values` | `********` | — |" in table_rows(markdown_always)
        assert summary.read_text() == "earlier step\n" + markdown, "the summary file was written with it unset"
        for text in (markdown, markdown_always, (tmp_path / "drift.json").read_text(), drift.stdout, always.stdout):
            assert secret not in text and proxy.master_key not in text
    finally:
        pruned = run_playbook(PLAYBOOKS / "reconcile.yml", extra_vars=dict(
            connection, gateway_document={"credentials": [], "teams": []}, gateway_unmanaged="prune"))
    assert pruned.rc == 0, pruned.stdout[-3000:]
