# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""drift_markdown: the drift that llmops.litellm.gateway_state reports in check mode, as Markdown tables.

The changes are taken as the module returns them (secrets already shown as ``********`` by the engine, the one place
that decides what is secret); this only lays them out: one table per kind, a row per changed field.
"""

from __future__ import annotations

import json
from typing import Any

from ansible.errors import AnsibleFilterError

# A cell longer than this is cut (a list of 200 models would make the table unreadable in a pull request).
MAX_CELL = 120
ABSENT = "—"


def _cell(value: Any) -> str:
    """A value as an inline code span that survives a Markdown table: JSON, cut, pipes and newlines escaped."""
    if value is None:
        return ABSENT
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = " ".join(text.split("\n"))
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL - 1] + "…"
    fence = "``" if "`" in text else "`"
    padded = " %s " % text if fence == "``" else text
    return (fence + padded + fence).replace("|", "\\|")


def _summary_line(summary: dict[str, int]) -> str:
    return ", ".join("%s %d" % (action, count) for action, count in sorted(summary.items()))


def drift_markdown(changes: list[dict[str, Any]], summary: dict[str, int] | None = None,
                   title: str = "LiteLLM gateway drift") -> str:
    if not isinstance(changes, list) or not all(isinstance(c, dict) and "kind" in c for c in changes):
        raise AnsibleFilterError("drift_markdown: expected the 'changes' list that llmops.litellm.gateway_state returns")
    lines = ["## %s" % title, ""]
    if not changes:
        lines.append("No drift: the live gateway matches the document.")
    else:
        lines.append("%d object%s drifted from the document." % (len(changes), "" if len(changes) == 1 else "s"))
    if summary:
        lines += ["", "Plan: %s." % _summary_line(summary)]
    for kind in sorted(set(c["kind"] for c in changes)):
        lines += ["", "### %s" % kind, "", "| Object | Action | Field | Desired | Live |", "| --- | --- | --- | --- | --- |"]
        for change in (c for c in changes if c["kind"] == kind):
            fields = change.get("changes") or [dict(path=None, desired=None, live=None)]
            for field in fields:
                lines.append("| %s | %s | %s | %s | %s |" % (
                    _cell(change.get("name")), change.get("action", ""), _cell(field.get("path")),
                    _cell(field.get("desired")), _cell(field.get("live"))))
    return "\n".join(lines) + "\n"


class FilterModule:
    def filters(self) -> dict:
        return {"drift_markdown": drift_markdown}
