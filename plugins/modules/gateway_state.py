#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: gateway_state
short_description: Declare the whole state of a LiteLLM proxy in one document, and apply it
version_added: 0.1.0
description:
  - Applies one document holding the desired state of many objects of many kinds (budgets, credentials,
    guardrails, tags, MCP servers, MCP toolsets, search tools, vector stores, prompts, models, fallbacks, agents, organizations,
    teams, users, virtual keys, JWT key mappings, customers, access groups, policies) to the LiteLLM proxy (AI
    gateway), the way M(llmops.litellm.team) and the other modules apply one object, but planned and applied at once.
  - B(Document format.) A mapping of kinds (C(budgets), C(credentials), C(guardrails), C(tags), C(mcp_servers),
    C(mcp_toolsets), C(search_tools), C(vector_stores), C(prompts), C(models), C(fallbacks), C(agents), C(organizations), C(teams), C(users),
    C(virtual_keys), C(jwt_key_mappings), C(customers), C(access_groups), C(policies)) to lists of
    objects. Each object is written with the options of the kind's module (same names, same validation,
    C(state=absent) included), so a task moves into a document unchanged. Beyond those, a team may name its
    organization by C(organization_alias), and a virtual key its team by C(team_alias) and its organization by
    C(organization_alias); they are resolved to ids, to objects of the document created by the same run, or to
    live ones.
  - B(Reading.) The live state is read with one list call per kind (paged, 100 per page), never one read per
    object. Objects are matched by their natural key (or id, when the object sets it), and compared with the
    rules of the kind's module; only the options an object sets are compared.
  - B(Order.) Objects are created and updated kind by kind in the order budgets, credentials, guardrails, tags,
    MCP servers, MCP toolsets, search tools, vector stores, prompts, models, fallbacks, agents, organizations, teams,
    users, virtual keys, JWT key mappings, customers, access groups, policies (whose attachments name teams, keys, models
    and tags), and deleted in the reverse order. Within a kind, up to O(workers) requests are in flight. An object whose parent (a key's team,
    a model's credential, a customer's budget, a team's organization) failed is skipped and reported so; the
    other objects are applied, and the module then fails, listing what failed.
  - B(Model aliases.) C(model_aliases) (the options of M(llmops.litellm.model_alias)) are applied right after the
    models, and deleted right before them.
  - B(Objects not declared) follow O(unmanaged). Only objects in O(scope) can ever be pruned.
  - B(Proxy settings.) C(proxy_settings) is a list of entries holding C(general_settings) and C(router_settings),
    the proxy's one set of settings as M(llmops.litellm.proxy_settings) declares it (entries merged key by key; only
    the keys declared are compared and set, after every object of the document; no C(state=absent)). Changes are
    reported as kind C(proxy_settings), name C(proxy). It is never pruned.
  - B(Virtual keys.) A key's value never appears in any output. The value of a new key is made
    by the module and written to a 0600 file in O(key_dir) (named after the key's alias) or to the key's own
    C(key_file), before LiteLLM is called; a run that stopped before LiteLLM created the key uses that file again.
    Creating a key without either fails before anything is written. Deleting a key removes its file when it holds
    that key, and its predecessors still in their grace period (C(<key_alias>.retiring-<until>)), as
    M(llmops.litellm.virtual_key) does.
  - A caller that made and kept a key's value itself (the operator keeps it in a Secret) declares it with the key's
    C(key) option (C(sk-) and at least 16 characters, the format of the module's own values). The key is then
    found by the value's hash (its C(token)), whatever its alias (a changed alias renames it), so a run after one
    that stopped once LiteLLM had the key never creates a second; otherwise it is created with that value (refused
    when LiteLLM deleted, revoked, a key with it). A live key with the alias and another value is refused,
    C(gateway_state) does not rotate keys (M(llmops.litellm.virtual_key) does).
  - B(Secrets.) Write-only options (a credential's C(credential_values), a model's C(provider_api_key), ...) are
    never compared (LiteLLM does not return them). They are sent when the object is created and, with
    O(update_secrets=always) (or the object's own C(update_secrets)), on every run. A value starting with
    C(llmops-secret/) (what M(llmops.litellm.gateway_state_info) exports in place of a secret) means I(do not
    touch), and is neither compared nor sent.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes
options:
  document:
    description:
      - The document, inline. Merged with O(files) (each kind's lists are concatenated).
    type: dict
  files:
    description:
      - YAML or JSON files holding documents, read on the host the module runs on. A directory stands for its
        C(*.yml), C(*.yaml) and C(*.json) files, in name order.
    type: list
    elements: path
  unmanaged:
    description:
      - What to do with live objects of the kinds in O(scope) that the document does not declare.
      - V(preserve) leaves them alone and reports them as C(unmanaged).
      - V(prune) deletes those that O(scope) owns (its name prefix and owner marker, when set); objects defined in
        the proxy's config file are never deleted.
      - V(adopt) leaves them alone, reports them as C(adopt) and returns them in RV(adopted), in the document
        format, ready to be added to the document.
    type: str
    choices: [preserve, prune, adopt]
    default: preserve
  scope:
    description: Which live objects this document owns.
    type: dict
    suboptions:
      kinds:
        description: The kinds in scope (document keys such as V(teams)). Default, the kinds the document lists
          (an empty list counts).
        type: list
        elements: str
      name_prefix:
        description: Only objects whose natural key starts with this prefix are owned.
        type: str
      owner:
        description:
          - An ownership marker. The module writes it as C(llmops_owner) into the metadata of every declared
            object of the kinds that have one (C(metadata) of teams, users, virtual keys and organizations,
            C(model_info), C(credential_info), C(guardrail_info)), and owns only live objects that carry it.
          - Objects of other kinds (budgets, customers, tags, MCP servers, MCP toolsets, search tools, vector stores,
            prompts, agents, access groups, policies) carry no marker, so with an owner they are never pruned.
        type: str
      exclude:
        description:
          - Live objects that are never unmanaged, whatever O(unmanaged) says (neither reported, pruned nor
            adopted), as a mapping of kinds (document keys such as V(teams)) to lists of natural keys or ids.
            For objects managed elsewhere, such as the llmops operator's custom resources that one run leaves out.
          - The predecessors of a virtual key in its rotation's grace period (C(<key_alias>.retiring-<until>), see
            M(llmops.litellm.virtual_key)) are never unmanaged while the key is declared present or excluded.
        type: dict
  update_secrets:
    description:
      - V(on_create) sends write-only secrets only when an object is created, so that a second run changes
        nothing. V(always) sends them on every run (each such object then reports a change). An object's own
        C(update_secrets) wins.
    type: str
    choices: [always, on_create]
    default: on_create
  key_dir:
    description:
      - Directory (on the host the module runs on) where the values of new virtual keys are written, one 0600
        file per key named after its alias (characters other than letters, digits, C(.), C(_) and C(-) become
        C(_)). A key's own C(key_file) wins.
    type: path
  workers:
    description: How many requests may be in flight at once, at least 1.
    type: int
    default: 8
  cascade:
    description:
      - Whether a deletion may take with it, by LiteLLM's own cascade, live objects the document does not declare
        absent. LiteLLM deletes a team's virtual keys and its team-owned models with the team, a user's keys with
        the user, an organization's teams and keys with the organization; it leaves the models of a deleted
        credential naming it (their requests then fail), and the customers and keys of a deleted budget without a
        budget.
      - V(false) refuses such a document before anything is written, naming the objects. V(true) lets them go;
        the result (RV(changes), with C(action=cascade)) and the diff name each of them, and the key files of keys
        deleted so are removed as for a key the document deletes.
      - An object's own C(cascade) (teams, users, organizations, credentials and budgets take it) wins for its
        deletion.
      - Either way, a document that declares an object present under a parent it deletes (a key in a team
        declared absent, a model using a credential declared absent) is refused.
    type: bool
    default: false
  invalid:
    description:
      - What to do with declared objects that are not valid on their own.
      - V(fail) refuses the whole document, before anything is written, with one sentence naming the first such
        object, its option and the reason.
      - V(skip) holds back each such object (its options, its name, a licence its options need, its plan against
        the live state; reported with C(status=invalid) and that sentence as C(error)), each object naming one that
        exists neither live nor in the document (C(status=waiting), C(waiting_for) naming it), and each object
        whose parent or named object is held back (C(status=waiting), C(waiting_for) naming the parent), and each
        deletion declared (C(state=absent)) that O(cascade) refuses or that objects declared present belong to
        (C(status=invalid)). Nothing of a held object is written, and it is never pruned; every other object is
        applied as usual and the run succeeds, with a warning listing them. A document that is not a mapping of
        kinds to lists is still refused whole, and so is a deletion by O(unmanaged=prune) that O(cascade) refuses or
        that objects declared present belong to.
    type: str
    choices: [fail, skip]
    default: fail
notes:
  - Organization members given by C(user_email) must name users that exist before the run (LiteLLM adds
    organization members by user_id only).
  - Organizations, tags on teams and keys, and some other options need a LiteLLM Enterprise licence, as in the
    object modules.
seealso:
  - module: llmops.litellm.gateway_state_info
  - name: Gateway state
    description: The document format, ownership, drift reports and the benchmark (docs/gateway_state.md).
    link: https://github.com/llmops/litellm/blob/main/docs/gateway_state.md
'''

EXAMPLES = r'''
- name: Apply a gateway document
  llmops.litellm.gateway_state:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    key_dir: /etc/litellm/keys
    scope:
      owner: platform-team
    unmanaged: prune
    document:
      credentials:
        - credential_name: openai-prod
          credential_values:
            api_key: "{{ vault_openai_api_key }}"
      models:
        - model_name: gpt-4o
          litellm_params:
            model: openai/gpt-4o
            litellm_credential_name: openai-prod
      teams:
        - team_alias: research
          models: [gpt-4o]
          max_budget: 100
      virtual_keys:
        - key_alias: research-ci
          team_alias: research
          max_budget: 10

- name: Report drift without changing anything
  llmops.litellm.gateway_state:
    files: [gateway/]
  check_mode: true
  register: drift
'''

RETURN = r'''
changes:
  description:
    - What the run changed (or, in check mode, would change), one entry per object with an action, with the
      per-field changes. In check mode this is the drift report.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: Kind of the object (C(team), C(virtual_key) ...).
      type: str
    name:
      description: Natural key of the object.
      type: str
    action:
      description: V(create), V(update), V(delete), or V(cascade) for an object LiteLLM deletes or changes with the
        deletion of another (see O(cascade)).
      type: str
    cascade_of:
      description: For C(action=cascade), the object whose deletion takes this one (C(team 'research')).
      type: str
    effect:
      description: For C(action=cascade), what LiteLLM does to this object (V(deleted), or how it is left).
      type: str
    written:
      description: For an object that failed, the writes LiteLLM had already accepted for it (C(POST /user/new)).
      type: list
      elements: str
    changes:
      description: "C([{path, desired, live}]): the option (a dict option's key as C(option.key), a member as
        C(members[user_email=...])), the declared value and the live one. Secrets show as C(********)."
      type: list
      elements: dict
    status:
      description:
        - What happened (not in check mode), V(created), V(updated), V(deleted), V(unchanged), V(failed) or
          V(skipped) (its parent failed); V(changed) for an object LiteLLM changed with the deletion of another.
        - With O(invalid=skip), also in check mode, V(invalid) or V(waiting) for an object held back.
      type: str
    error:
      description: Why the object failed, was skipped, is invalid or waits; one sentence naming the object (by
        C(where)), the option and the reason.
      type: str
    id:
      description:
        - The object's LiteLLM id (C(team_id), C(user_id), C(model_id), C(credential_name), ...), as read or, for an
          object created by the run, as created; null for an object not created.
        - A virtual key's id is its C(token), the hash of its value, which the collection keeps out of every output
          (C(********)); the caller that declared the value with C(key) knows it.
      type: str
    where:
      description: For a declared object, where the document declares it (C(teams[3])).
      type: str
    waiting_for:
      description: For C(status=waiting), the object it waits for (C(team 'research')), missing or held back.
      type: str
    http_status:
      description: For C(status=failed), the HTTP status LiteLLM refused the object with (C(422) for its own
        validation), when it answered.
      type: int
  sample:
    - kind: team
      name: research
      action: update
      changes: [{path: max_budget, desired: 100.0, live: 50.0}]
      status: updated
objects:
  description: Every declared object and every live object in scope, with its action, status, id, and where, error,
    waiting_for and http_status as in RV(changes) (no per-field changes).
  returned: always
  type: list
  elements: dict
summary:
  description: How many objects got each action (or, after the run, each status).
  returned: always
  type: dict
  sample: {"none": 120, "update": 3, "unmanaged": 2}
adopted:
  description: With O(unmanaged=adopt), the objects in scope the document does not declare, in the document format.
  returned: when O(unmanaged=adopt)
  type: dict
'''

import json

from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.apply import Applier, drop_key_files
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import (
    make_scope,
    merge_documents,
    parse_document,
    read_documents,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.export import export_document, scrub_export
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.isolate import (
    INVALID_POLICIES,
    IsolatingPlanner,
    held_item,
    hold_unoffered,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.live import (
    ensure_offered,
    needed_kinds,
    read_live,
    thread_clients,
    unlicensed_kinds,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.plan import (
    HELD,
    POLICIES,
    Planner,
    item_view,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds import proxy_settings as settings

try:
    import yaml
except ImportError:
    yaml = None


def load_text(text):
    """A document from YAML or JSON text."""
    if yaml is None:
        return json.loads(text)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc))


class GatewayStateModule(LiteLLMModule):

    def __init__(self):
        super(GatewayStateModule, self).__init__(dict(
            document=dict(type="dict"),
            files=dict(type="list", elements="path"),
            unmanaged=dict(type="str", choices=list(POLICIES), default="preserve"),
            scope=dict(type="dict", options=dict(
                kinds=dict(type="list", elements="str"),
                name_prefix=dict(type="str"),
                owner=dict(type="str"),
                exclude=dict(type="dict"),
            )),
            update_secrets=dict(type="str", choices=["always", "on_create"], default="on_create"),
            key_dir=dict(type="path"),
            workers=dict(type="int", default=8),
            cascade=dict(type="bool", default=False),
            invalid=dict(type="str", choices=list(INVALID_POLICIES), default="fail"),
        ), required_one_of=[("document", "files")])

    def run(self):
        params = self.params
        self.action = "validate the options"
        if params["workers"] < 1:
            raise ValidationError("workers must be >= 1, got %d" % params["workers"])
        self.action = "read the document"
        documents = [("document", params["document"])] + read_documents(params["files"] or [], load_text)
        document = merge_documents(documents)
        self.action = "validate the document"
        document, proxy = settings.from_document(document)
        invalid = [] if params["invalid"] == "skip" else None  # skip: objects refused alone, in the result
        declared = parse_document(document, invalid)
        for _resource, _where, object_params in declared:
            self.no_log_values.update(object_params["_no_log"])
        scope = params["scope"] or {}
        scope = make_scope(document, scope.get("kinds"), scope.get("name_prefix"), scope.get("owner"),
                           scope.get("exclude"))
        # a kind in scope the document declares nothing of, which this proxy's licence does not offer, has no
        # object to find (organizations without LiteLLM Enterprise)
        for plural, reason in unlicensed_kinds(self.client, [k for k in scope.kinds if not document.get(k)]):
            scope = scope._replace(kinds=[k for k in scope.kinds if k != plural])
            self.warn("%s are left out of the scope: %s" % (plural, reason))
        workers = params["workers"]
        client_for = thread_clients(self.client_factory)
        declared = ensure_offered(self.client, declared, invalid=invalid)
        held = [held_item(*refused) for refused in invalid or []]
        for item in held:
            self.no_log_values.update(item.params["_no_log"])
        self.action = "read the live state"
        live = read_live(client_for, needed_kinds(declared + [(i.resource, i.where, i.params) for i in held], scope,
                                                  params["unmanaged"]), workers)
        proxy_changes = self.plan_proxy_settings(proxy) if proxy else {}
        self.action = "plan the document"
        planner = IsolatingPlanner(declared, live, scope, params["unmanaged"], params["update_secrets"],
                                   params["key_dir"], params["cascade"], held) if invalid is not None else \
            Planner(declared, live, scope, params["unmanaged"], params["update_secrets"], params["key_dir"],
                    params["cascade"])
        plan = planner.plan()
        if self.check_mode and plan.work:
            work = set(id(i) for i in plan.work)
            unoffered = [] if invalid is not None else None
            ensure_offered(self.client, [(i.resource, i.where, i.params) for i in plan.items if id(i) in work],
                           paths=True, invalid=unoffered)
            hold_unoffered(plan, unoffered or [])
        dropped = []
        if not self.check_mode:
            self.action = "apply the document"
            if plan.work:
                Applier(client_for, workers).apply(plan)
            dropped = drop_key_files(plan, params["key_dir"])
            if proxy_changes:  # last: a setting may name what the document creates
                self.action = "apply the document's proxy_settings"
                settings.apply(self.client, proxy_changes)
        extra = [settings.report(proxy_changes, None if self.check_mode else "updated")] if proxy_changes else []
        return self.result(plan, live, scope, bool(dropped), extra)

    def plan_proxy_settings(self, declared):
        """The changes of the proxy's settings, refused (before any write) as the proxy_settings module refuses."""
        self.action = "read the proxy's settings"
        if not settings.store_in_db(self.client):
            raise UnsupportedError(settings.STORE_REFUSAL)
        live = settings.read(self.client, declared)
        changes = settings.plan(declared, live, "present")
        self.action = "plan the document's proxy_settings"
        settings.refuse_config_owned(changes, live)
        return changes

    def result(self, plan, live, scope, dropped=False, extra=()):
        everything = plan.items + plan.unmanaged + plan.cascaded
        result = dict(
            # anything written is a change, also from an object that then failed; so is a dropped key file
            changed=dropped or any(i.written or i.status not in ("failed", "skipped") for i in plan.work)
            if not self.check_mode
            else plan.changed,
            changes=[i.report(not self.check_mode) for i in plan.work + plan.cascaded] + list(extra),
            objects=[dict((k, v) for k, v in i.report(not self.check_mode).items() if k != "changes")
                     for i in everything],
            summary=plan.summary(),
        )
        if self._diff:
            result["diff"] = [dict(before_header="%s %s" % (i.resource.kind, i.name), after_header="%s %s" % (
                i.resource.kind, i.name), before=item_view(i, False), after=item_view(i, True))
                for i in plan.work + plan.cascaded]
        result["changed"] = result["changed"] or bool(extra)
        result = self.secret_free(result)
        if self.params["unmanaged"] == "adopt":
            adopted = set((i.resource.kind, i.object_id) for i in plan.unmanaged if i.action == "adopt")
            result["adopted"] = scrub_export(export_document(live, scope.kinds, only=adopted),
                                             (self.params["api_key"],))
        held = [i for i in plan.items if i.status in HELD]
        if held:
            self.warn("%d of %d declared objects held back (invalid: skip), nothing of them written: %s" % (
                len(held), len(plan.items), "; ".join(i.error for i in held[:10])))
        failed = [i for i in plan.work if i.status in ("failed", "skipped")]
        if failed:
            applied = [i for i in plan.work if i.written or i.status not in ("failed", "skipped")]
            self.fail_json(msg="failed to apply the document: %d of %d changes not applied: %s%s" % (
                len(failed), len(plan.work), "; ".join(i.error for i in failed[:10]),
                "; %d objects were written before or beside the failure (see changes)" % len(applied) if applied
                else ""), **result)
        return result


def main():
    GatewayStateModule().execute()


if __name__ == '__main__':
    main()
