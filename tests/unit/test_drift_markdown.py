"""The drift_markdown filter: the layout of gateway_state's changes as Markdown tables (table-driven)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.litellm.plugins.filter.drift_markdown import MAX_CELL, drift_markdown

HEADER = "| Object | Action | Field | Desired | Live |"


def rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ") and line != HEADER and "| --- |" not in line]


@pytest.mark.parametrize("change, row", [
    ({"kind": "team", "name": "research", "action": "update", "changes": [{"path": "max_budget", "desired": 100.0, "live": 50.0}]},
     "| `research` | update | `max_budget` | `100.0` | `50.0` |"),
    ({"kind": "team", "name": "ops", "action": "update", "changes": [{"path": "models", "desired": ["a", "b"], "live": ["a"]}]},
     '| `ops` | update | `models` | `["a", "b"]` | `["a"]` |'),
    ({"kind": "credential", "name": "openai", "action": "update",
      "changes": [{"path": "credential_values.api_key", "desired": "********", "live": None}]},
     "| `openai` | update | `credential_values.api_key` | `********` | — |"),
    ({"kind": "model", "name": "gpt|4", "action": "delete", "changes": []},
     "| `gpt\\|4` | delete | — | — | — |"),
    ({"kind": "team", "name": "t", "action": "update", "changes": [{"path": "metadata.note", "desired": "a `b`\nc", "live": "x"}]},
     "| `t` | update | `metadata.note` | `` a `b` c `` | `x` |"),
])
def test_one_row_per_changed_field(change, row):
    assert rows(drift_markdown([change])) == [row]


def test_a_table_per_kind_sorted_with_the_plan_summary():
    changes = [{"kind": "team", "name": "b", "action": "update", "changes": [{"path": "x", "desired": 1, "live": 2},
                                                                             {"path": "y", "desired": 3, "live": 4}]},
               {"kind": "budget", "name": "a", "action": "create", "changes": [{"path": "max_budget", "desired": 5, "live": None}]}]
    markdown = drift_markdown(changes, summary={"update": 1, "create": 1, "none": 7})
    assert [line for line in markdown.splitlines() if line.startswith("#")] == [
        "## LiteLLM gateway drift", "### budget", "### team"]
    assert "2 objects drifted from the document." in markdown
    assert "Plan: create 1, none 7, update 1." in markdown
    assert len(rows(markdown)) == 3


def test_no_drift_and_long_values():
    assert "No drift" in drift_markdown([], title="Staging") and drift_markdown([]).startswith("## LiteLLM gateway drift")
    [row] = rows(drift_markdown([{"kind": "team", "name": "t", "action": "update",
                                  "changes": [{"path": "models", "desired": ["m" * 50] * 5, "live": []}]}]))
    desired = row.split(" | ")[3]
    assert len(desired) == MAX_CELL + 2 and desired.endswith("…`")


def test_not_the_changes_of_gateway_state():
    with pytest.raises(AnsibleFilterError, match="changes"):
        drift_markdown({"changes": []})
