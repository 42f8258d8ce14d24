#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: virtual_key
short_description: Manage a virtual key (API key) of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update, rotate and delete a virtual key of the LiteLLM proxy (AI gateway), the API key clients send,
    with its budget, limits and allowed models.
  - The key is found by O(key_alias), its natural key (LiteLLM keeps aliases unique), through LiteLLM's key list;
    never by its value. O(token), the hash LiteLLM keeps of the value, finds it too.
  - B(Crash-safe creation.) The module chooses the value of a new key itself (C(sk-) and 16 random bytes, as
    LiteLLM does) and, with O(key_file), writes it to that file before sending it to LiteLLM. A run that stops
    after LiteLLM created the key finds the key by alias the next time and creates no second one; a run that
    stops before finds the value in O(key_file) and creates the key with it.
  - B(The key's value is never printed.) LiteLLM returns it only once, when the key is created. The module keeps
    it in O(key_file) (mode 0600), and returns it in RV(key) only with O(return_key=true). Creating a key without
    O(key_file), O(return_key) or O(key) fails before anything is written, since its value would be lost.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.budget.SOFT_BUDGET
  - llmops.litellm.budget.TPD_LIMIT
  - llmops.litellm.budget.MAX_PARALLEL_REQUESTS
  - llmops.litellm.budget.MODEL_LIMITS
  - llmops.litellm.metadata
  - llmops.litellm.metadata.TAGS
options:
  key_alias:
    description:
      - Name of the key, its natural key. Required unless O(token) is set.
      - With O(token) set, a different O(key_alias) renames the key.
    type: str
  token:
    description:
      - The hash LiteLLM keeps of the key's value (SHA-256, hex), which LiteLLM uses as the key's ID.
      - Never returned by this module (it shows as C(********)), since LiteLLM accepts it in place of the key on its
        management API.
    type: str
  key:
    description:
      - The value of the key, chosen by you instead of by the module. Must start with C(sk-) and be at least 16
        characters long. Never logged, never returned.
      - When the key exists with another value, the key is rotated to this one (see O(regenerate)).
      - A value whose key LiteLLM deleted (revoked by an admin, or deleted with its team) is refused, since it is
        never used again.
      - Mutually exclusive with O(regenerate) and O(rotation_period).
    type: str
  key_file:
    description:
      - File, on the host the module runs on, that holds the key's value. It is created with mode 0600 before the
        key is sent to LiteLLM, and never overwritten with another key.
      - When the key does not exist and the file does, the key is created with the value in the file (a run that
        stopped before LiteLLM created the key), unless LiteLLM deleted a key with that value (it keeps deleted
        keys). A revoked value is never used again, so the key is created with a new value, written to
        C(<key_file>.pending) first and renamed over O(key_file) once the key exists; the run warns.
      - When the key exists, the file must hold its value (its hash must be the key's token), otherwise the module
        fails without writing. A missing file is written again with the key's value given as O(key) (the way back
        after a lost file), or with a new value by O(regenerate=true).
      - A rotation writes the new value to C(<key_file>.pending) first and renames it over O(key_file) once LiteLLM
        has rotated the key; the next run completes a rename that did not happen.
      - With O(state=absent) the file is removed (unless it holds another key), and predecessors of the key still
        in their grace period are deleted too.
    type: path
  return_key:
    description:
      - Return the key's value in RV(key) when this run creates or rotates the key. Set C(no_log=true) on the
        task, or Ansible prints the value (with C(-v) or in the result of a failed later task).
      - The value of a key given with O(key) is not returned.
    type: bool
    default: false
  regenerate:
    description:
      - Rotate the key to a new value made by the module, on every run (the run always reports a change).
      - With a LiteLLM Enterprise licence (the proxy's C(/health/license)), LiteLLM's C(/key/{key}/regenerate)
        rotates the key in place; it keeps the key's alias, settings and spend, and the old value works for
        O(grace_period).
      - Without one, the key is rotated by B(succession), which any LiteLLM can do. The old key is renamed
        C(<key_alias>.retiring-<until>) (C(until) is the end of O(grace_period), UTC, for example
        C(research-ci.retiring-20270101T120000Z)), a new key is created with the alias, the settings of the old one
        (the options of this module; O(duration) and O(key_type) only when set) and the new value, and the old key
        is deleted at once without O(grace_period), else by the first run of this module for the key after
        C(until). The new key starts with no spend. LiteLLM keeps aliases unique, so there is never more than one
        successor.
      - The new value is kept in C(<key_file>.pending) before LiteLLM sees it and renamed over O(key_file) once
        the new key exists; a run that stops at any step is completed by the next one, with no second successor
        and no lost value. Keep the new value with O(key_file) or O(return_key).
    type: bool
    default: false
  rotation_period:
    description:
      - Rotate the key (as O(regenerate) does) when its value is older than this, for example V(30d); a run
        before that changes nothing. Whole numbers of V(s), V(m), V(h), V(d) or V(w).
      - The value's age is that of O(key_file) when it holds the key (it is written when the value is made),
        otherwise the time LiteLLM created the key.
      - Needs O(key_file). Run the task on a schedule (cron, an AWX schedule) for the rotation to happen;
        mutually exclusive with O(key).
    type: str
  grace_period:
    description:
      - How long the old value keeps working after a rotation, for example V(24h), so that clients can switch to
        the new one. Without it the old value stops working at once.
      - Without a licence the old key (C(<key_alias>.retiring-<until>)) is deleted by the first run for the key
        after the grace period; with one LiteLLM revokes it itself.
    type: str
  team_id:
    description:
      - ID of the team the key belongs to. Set to an empty string to take the key out of its team.
      - Mutually exclusive with O(team_alias).
    type: str
  team_alias:
    description:
      - Alias of the team the key belongs to, found like M(llmops.litellm.team) finds it; sets O(team_id).
      - In check mode a team that does not exist yet (created by an earlier task of the same run) is reported as a
        warning.
    type: str
  user_id:
    description: ID of the user the key belongs to.
    type: str
  organization_id:
    description: ID of the organization the key belongs to. Organizations are a LiteLLM Enterprise feature.
    type: str
  models:
    description: Models the key may use. An empty list means all the models of its team (or all models).
    type: list
    elements: str
  model_max_budget:
    description:
      - 'Budget per model, for example C({"gpt-4o": {"budget_limit": 10, "time_period": "30d"}}).'
      - Needs a LiteLLM Enterprise licence.
    type: dict
  rpm_limit_type:
    description: How LiteLLM enforces O(rpm_limit) when keys together ask for more than the model offers.
    type: str
    choices: [guaranteed_throughput, best_effort_throughput, dynamic]
  tpm_limit_type:
    description: How LiteLLM enforces O(tpm_limit) when keys together ask for more than the model offers.
    type: str
    choices: [guaranteed_throughput, best_effort_throughput, dynamic]
  enforced_params:
    description:
      - Request parameters every request with the key must set, for example V(user). Order does not matter.
      - Needs a LiteLLM Enterprise licence. Without one LiteLLM stores it, then refuses every request made with the
        key.
    type: list
    elements: str
  aliases:
    description: 'Model names the key may use, mapped to the model they stand for, for example C({"fast": "gpt-4o-mini"}).'
    type: dict
  permissions:
    description: 'Key-specific permissions (LiteLLM''s C(permissions), for example C({"pii_masking": true})).'
    type: dict
  allowed_routes:
    description:
      - Routes the key may call, for example V(/chat/completions) or V(llm_api_routes). Order does not matter.
      - LiteLLM sets it from O(key_type) when the key is created with one.
    type: list
    elements: str
  allowed_passthrough_routes:
    description:
      - Pass-through routes the key may call. Order does not matter.
      - Needs a LiteLLM Enterprise licence.
    type: list
    elements: str
  denied_passthrough_routes:
    description:
      - Pass-through routes the key may not call. Order does not matter.
      - Needs a LiteLLM Enterprise licence.
    type: list
    elements: str
  blocked:
    description: Whether the key is blocked; requests with it then fail.
    type: bool
  auto_rotate:
    description: Whether LiteLLM rotates the key itself every O(rotation_interval). Its new values are not kept by
      this module.
    type: bool
  rotation_interval:
    description: How often LiteLLM rotates the key when O(auto_rotate=true), for example V(90d).
    type: str
  duration:
    description:
      - Lifetime of the key from its creation, for example V(30d); without it the key never expires.
      - Applied only when the key is created (LiteLLM would restart the lifetime on every update); the result's
        C(expires) tells when it ends.
    type: str
  key_type:
    description:
      - Which routes a new key may call, when O(allowed_routes) is not set.
      - Applied only when the key is created.
    type: str
    choices: [default, llm_api, management, read_only]
notes:
  - Deleting a team deletes its keys too. LiteLLM keeps deleted keys; their values are never used again.
  - LiteLLM keeps O(soft_budget) in a budget linked to the key, and several options in the key's metadata (see
    O(metadata)); the module reads them from there.
seealso:
  - module: llmops.litellm.virtual_key_info
  - module: llmops.litellm.team
  - name: LiteLLM virtual keys
    description: LiteLLM's documentation of virtual keys, budgets and limits.
    link: https://docs.litellm.ai/docs/proxy/virtual_keys
'''

EXAMPLES = r'''
- name: A key for the CI of the research team, its value kept in a 0600 file on the controller
  llmops.litellm.virtual_key:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    key_alias: research-ci
    team_alias: research
    models: [gpt-4o-mini]
    max_budget: 50
    budget_duration: 30d
    rpm_limit: 60
    key_file: /etc/litellm/keys/research-ci
  delegate_to: localhost

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: A key whose value goes into a variable, never into the output
      llmops.litellm.virtual_key:
        key_alias: app-backend
        models: [gpt-4o]
        return_key: true
      register: backend_key
      no_log: true

    - name: Store it somewhere only once (the value is returned only when the key is created)
      ansible.builtin.copy:
        content: "{{ backend_key.key }}"
        dest: /etc/app/litellm-key
        mode: "0600"
      when: backend_key.key is defined
      no_log: true

    - name: Rotate the key now; the old value keeps working for a day (any LiteLLM; keeps its spend with a licence)
      llmops.litellm.virtual_key:
        key_alias: research-ci
        regenerate: true
        grace_period: 24h
        key_file: /etc/litellm/keys/research-ci

    - name: Rotate the key every 30 days when this task runs (schedule it), the old value working for 24 hours
      llmops.litellm.virtual_key:
        key_alias: research-ci
        rotation_period: 30d
        grace_period: 24h
        key_file: /etc/litellm/keys/research-ci

    - name: Block the key
      llmops.litellm.virtual_key:
        key_alias: research-ci
        blocked: true

    - name: Delete the key and its key file
      llmops.litellm.virtual_key:
        key_alias: research-ci
        key_file: /etc/litellm/keys/research-ci
        state: absent
'''

RETURN = r'''
key:
  description:
    - The value of the key, when this run created or rotated it with a value the module made, and
      O(return_key=true). Set C(no_log) on the task.
  returned: when created or rotated, with O(return_key=true) and without O(key)
  type: str
  sample: sk-6uGfr0xAbcdEfGhIjKlMnO
retired:
  description:
    - Aliases of the predecessors (C(<key_alias>.retiring-<until>)) this run deleted (or would delete, in check
      mode), as their grace period had ended or the key was deleted.
  returned: always
  type: list
  elements: str
  sample: [research-ci.retiring-20270101T120000Z]
virtual_key:
  description:
    - The key after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options (its value is never among them) and C(expires), C(spend), C(created_at),
      C(updated_at).
  returned: always
  type: dict
  contains:
    key_alias:
      description: Name of the key.
      type: str
      sample: research-ci
    token:
      description: Always C(********) (or V(null) in check mode for a key to create); never returned.
      type: str
      sample: "********"
    team_id:
      description: ID of the team of the key.
      type: str
      sample: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
    models:
      description: Models the key may use, sorted; V(null) for all models.
      type: list
      elements: str
      sample: [gpt-4o-mini]
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 50.0
    expires:
      description: When the key expires; V(null) for never.
      type: str
      sample: "2025-02-01T00:00:00+00:00"
    spend:
      description: Spend of the key so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import VirtualKeyModule


def main():
    VirtualKeyModule().execute()


if __name__ == '__main__':
    main()
