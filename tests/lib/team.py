"""Helpers for the team module's integration tests: one test's corner of the proxy, and task builders."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.lib.playbook import PlaybookResult, run_tasks

GROUP = "group/llmops.litellm.litellm"


@dataclasses.dataclass
class Scenario:
    """One test's corner of the proxy: a unique alias, the users it made, playbook runs and API reads."""

    proxy: Any
    alias: str
    users: list[str] = dataclasses.field(default_factory=list)

    def user(self, name: str) -> str:
        user_id = f"{self.alias}-{name}"
        self.users.append(user_id)
        return user_id

    def run(self, *tasks: dict[str, Any], connection: dict[str, Any] | None = None, **kwargs: Any) -> PlaybookResult:
        defaults = {"api_url": self.proxy.url, "api_key": self.proxy.master_key} if connection is None else connection
        return run_tasks(list(tasks), module_defaults={GROUP: defaults}, **kwargs)

    def apply(self, check: bool = False, diff: bool = False, **options: Any) -> dict[str, Any]:
        """Run llmops.litellm.team once with ``options`` and return its task result (failing on error)."""
        result = self.run(task(**options), check=check, diff=diff)
        outcome = result.task("team")
        assert result.rc == 0, outcome.get("msg", result.stderr[-2000:])
        return outcome

    def fail(self, connection: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        result = self.run(task(**options), connection=connection)
        assert result.rc != 0
        outcome = result.task("team")
        assert outcome["failed"]
        return outcome

    def teams(self, alias: str | None = None) -> list[dict[str, Any]]:
        """The teams with exactly this alias (default: the scenario's), from /team/info."""
        alias = alias or self.alias
        listed = self.proxy.api("GET", "/v2/team/list", params={"team_alias": alias, "page_size": 100})
        listed.raise_for_status()
        return [self.info(t["team_id"]) for t in listed.json()["teams"] if t["team_alias"] == alias]

    def info(self, team_id: str) -> dict[str, Any]:
        answer = self.proxy.api("GET", "/team/info", params={"team_id": team_id})
        answer.raise_for_status()
        team = answer.json()["team_info"]
        team.pop("model_max_budget_usage", None)  # usage counters, not state
        return team

    def only_team(self, alias: str | None = None) -> dict[str, Any]:
        (team,) = self.teams(alias)
        return team

    def create_directly(self, **body: Any) -> str:
        answer = self.proxy.api("POST", "/team/new", json={"team_alias": self.alias, **body})
        assert answer.status_code == 200, answer.text
        return answer.json()["team_id"]

    def cleanup(self) -> None:
        listed = self.proxy.api("GET", "/v2/team/list", params={"team_alias": self.alias, "page_size": 100}).json()
        teams = listed.get("teams", [])
        members = {m["user_id"] for t in teams for m in t["members_with_roles"] if m.get("user_id")}
        if teams:
            self.proxy.api("POST", "/team/delete", json={"team_ids": [t["team_id"] for t in teams]})
        users = sorted((members | set(self.users)) - {"default_user_id"})
        if users:
            self.proxy.api("POST", "/user/delete", json={"user_ids": users})


def task(**options: Any) -> dict[str, Any]:
    return {"name": "team", "llmops.litellm.team": options}


def members_of(team: dict[str, Any]) -> list[tuple[str | None, str]]:
    return sorted((m["user_id"] if not m["user_id"].startswith("default") else "default", m["role"])
                  for m in team["members_with_roles"])
