# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reusable budgets: spend, soft budget, duration, rate limits, per-model budgets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import MODEL_BUDGETS, CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Resource,
    get_path,
)


BUDGET = Resource(
    kind="budget",
    plural="budgets",
    id_field="budget_id",
    key_field="budget_id",
    fields=[
        Field("budget_id"),
        Field("max_budget", "float", minimum=0),
        Field("soft_budget", "float", minimum=0),
        Field("budget_duration"),
        Field("tpm_limit", "int", minimum=0),
        Field("rpm_limit", "int", minimum=0),
        Field("tpd_limit", "int", minimum=0),
        Field("max_parallel_requests", "int", minimum=0),
        Field("model_max_budget", "dict"),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/budget/new"),
    update=Endpoint("POST", "/budget/update", idempotent=True),
    delete=Endpoint("POST", "/budget/delete", body=lambda budget_id: {"id": budget_id}),
    get=None,  # /budget/info is a POST, which check mode must not send; the list has every budget
    find=Endpoint("GET", "/budget/list", paginated=False),
    cr_map=CRMap(name="budget_id", rules=[MODEL_BUDGETS]),
    cr_kind="LiteLLMBudget",
    cr_ref="budgetRef",
)


def join_budgets(client, objects, id_path, into, keep=False):
    """``objects`` (as LiteLLM lists them) each with the budget whose id is at ``id_path`` joined in as ``into``,
    from one read of the budgets' list (none when no object names a budget). ``keep``: an object whose budget the
    list lacks keeps the ``into`` it has (else None)."""
    wanted = set(get_path(o, id_path) for o in objects) - set([None])
    if not wanted:
        return objects
    budgets = dict((b.get("budget_id"), b) for b in client.get(BUDGET.find.path) or [])
    return [dict(o, **{into: budgets.get(get_path(o, id_path)) or (o.get(into) if keep else None)}) for o in objects]
