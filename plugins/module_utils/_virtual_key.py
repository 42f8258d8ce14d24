# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A virtual key's value: made by the module, kept where the user says before LiteLLM sees it, never printed.

LiteLLM stores only the SHA-256 of a key (its ``token``) and never returns the value again. The module therefore
chooses the value itself and, with ``key_file``, writes it to a 0600 file *before* sending it to /key/generate: a
run that stops after LiteLLM created the key finds it by alias next time, and one that stops before finds the
value in the file and creates the key with it. Either way there is one key, and its value is known.

A value LiteLLM has deleted (an admin revoked the key, or its team was deleted) is never used again: LiteLLM keeps
deleted keys in its archive (``/key/info`` on the hash answers ``status: deleted``), and a key file holding such a
value gets a new value, kept in ``<key_file>.pending`` until LiteLLM has created the key with it.

Rotation gives the key a new value, kept in ``<key_file>.pending`` first and renamed over ``key_file`` once LiteLLM
has it. With a LiteLLM Enterprise licence it is LiteLLM's ``/key/{key}/regenerate`` (the key keeps its spend);
without one it is a succession: the old key is renamed ``<alias>.retiring-<until>``, a key with the alias, the same
settings and the new value is created, and the old key is deleted by the first run after ``<until>`` (the end of
``grace_period``). The alias is unique in LiteLLM, so there is never more than one successor.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import calendar
import errno
import hashlib
import os
import re
import secrets
import tempfile
import time

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import unsupported
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CR_API_VERSION
from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule, InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils._read import Reader, page_through
from ansible_collections.llmops.litellm.plugins.module_utils._write import send_create, send_delete
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import ROTATE_KEY, VIRTUAL_KEY

KEY_OPTIONS = dict(
    key=dict(type="str", no_log=True),
    key_file=dict(type="path"),
    return_key=dict(type="bool", default=False),
    regenerate=dict(type="bool", default=False),
    rotation_period=dict(type="str"),
    grace_period=dict(type="str"),
    team_alias=dict(type="str"),
)
KEY_PREFIX = "sk-"
MINIMUM_KEY_LENGTH = 16  # LiteLLM's MINIMUM_CUSTOM_KEY_LENGTH
RETIRING = ".retiring-"  # <alias>.retiring-<until>: a predecessor kept until its grace period ends
STAMP = "%Y%m%dT%H%M%SZ"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# The Secret that keeps the value of an operator's LiteLLMVirtualKey (key_secret)
KEY_SECRET_FIELD = "api_key"
KEY_MADE_AT_ANNOTATION = "litellm.llmops.dev/value-made-at"
KEY_SECRET_LABELS = {"app.kubernetes.io/managed-by": "llmops-litellm-operator", "app.kubernetes.io/part-of": "llmops-litellm"}
# Options of the predecessor a successor does not copy: its identity, and what only applies when it is created
NOT_INHERITED = ("token", "key_alias", "duration", "key_type")


def new_key():
    """A key in LiteLLM's own format: ``sk-`` and 16 random bytes, URL-safe base64."""
    return KEY_PREFIX + secrets.token_urlsafe(16)


def key_hash(value):
    """The token LiteLLM keeps for a key value: its SHA-256, in hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def key_problem(value):
    """Why LiteLLM would refuse ``value`` as a key, or None."""
    if not value.startswith(KEY_PREFIX):
        return "must start with %s (LiteLLM takes any other value for a key's hash)" % KEY_PREFIX
    if len(value) < MINIMUM_KEY_LENGTH:
        return "must be at least %d characters long" % MINIMUM_KEY_LENGTH
    return None


def duration_seconds(option, text):
    """Seconds in a duration such as ``30s``, ``15m``, ``24h``, ``90d``, ``2w``; ValidationError naming ``option``."""
    match = re.match(r"^(\d+)([smhdw])$", text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValidationError("%s '%s' is not a duration: write a whole number and one of s, m, h, d, w (24h, 90d)"
                              % (option, text))
    return int(match.group(1)) * UNITS[match.group(2)]


def parse_time(text):
    """Seconds since the epoch of a UTC time as LiteLLM writes it (``2026-12-06T21:00:00.123Z``, ``...+00:00``) or as
    a retiring alias does (``20261206T210000Z``); None when it is not one."""
    match = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})[T ](\d{2}):?(\d{2}):?(\d{2})", text or "")
    if not match:
        return None
    return calendar.timegm(tuple(int(part) for part in match.groups()) + (0, 0, 0))


def rotation_due(started, period, now=None):
    """Whether a value in use since ``started`` (a time as parse_time reads it, None: unknown) is due for rotation
    every ``period`` (a duration); an unknown start is due."""
    since = parse_time(started)
    return since is None or (now or time.time()) - since >= duration_seconds("rotation_period", period)


def key_secret_name(cr):
    """The name of the Secret that keeps the value of the LiteLLMVirtualKey custom resource ``cr``: its
    ``spec.keySecretName``, else ``{metadata.name}-key``."""
    return (cr.get("spec") or {}).get("keySecretName") or "%s-key" % cr["metadata"]["name"]


def key_secret(cr, value, made_at=None):
    """The Secret that keeps ``value``, the value of the LiteLLMVirtualKey custom resource ``cr`` (its apiVersion,
    kind, metadata name, namespace and uid): named by key_secret_name, the value base64-encoded in ``api_key``,
    the operator's labels, when the value was made (``made_at``, STAMP, default now) in the value-made-at
    annotation (rotationPeriod counts from it), and owned by ``cr`` (deleted with it)."""
    meta = cr["metadata"]
    return {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {
            "name": key_secret_name(cr), "namespace": meta.get("namespace") or "",
            "labels": dict(KEY_SECRET_LABELS),
            "annotations": {KEY_MADE_AT_ANNOTATION: made_at or time.strftime(STAMP, time.gmtime())},
            "ownerReferences": [{"apiVersion": cr.get("apiVersion") or CR_API_VERSION,
                                 "kind": cr.get("kind") or VIRTUAL_KEY.cr_kind, "name": meta["name"],
                                 "uid": meta.get("uid") or "", "controller": True, "blockOwnerDeletion": True}],
        },
        "data": {KEY_SECRET_FIELD: base64.b64encode(value.encode("utf-8")).decode("ascii")},
    }


def key_secret_value(secret):
    """The value kept in ``secret`` (a Secret as the Kubernetes API returns it, its data base64-encoded)."""
    data = secret.get("data") or {}
    if not data.get(KEY_SECRET_FIELD):
        meta = secret.get("metadata") or {}
        raise ValueError("Secret %s/%s has no %s" % (meta.get("namespace") or "", meta.get("name"), KEY_SECRET_FIELD))
    return base64.b64decode(data[KEY_SECRET_FIELD]).decode("utf-8")


def key_secret_made_at(secret):
    """When the value kept in ``secret`` was made: its value-made-at annotation, else the Secret's creation (a time
    rotation_due reads; empty when unknown)."""
    meta = secret.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    if KEY_MADE_AT_ANNOTATION in annotations:
        return annotations[KEY_MADE_AT_ANNOTATION]
    return meta.get("creationTimestamp") or ""


def read_key_file(path):
    """The key a key file holds, or None when there is no such file."""
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise ValidationError("cannot read %s: %s" % (path, exc.strerror))


def write_key_file(path, value):
    """Create ``path`` with mode 0600 holding ``value``; an existing file is never replaced. The value is written
    and synced to a temporary file first, then linked into place: a crash leaves the whole file or none, never an
    empty one."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".key-", dir=directory)  # mode 0600
    except (IOError, OSError) as exc:
        raise ValidationError("cannot create %s: %s" % (path, exc.strerror))
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)  # fails if path exists: an existing file is never replaced
    except (IOError, OSError) as exc:
        raise ValidationError("cannot create %s: %s" % (path, exc.strerror))
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def deleted_at(client, token):
    """When LiteLLM deleted the key with ``token`` (it keeps deleted keys in an archive that /key/info reads): its
    ``deleted_at``, or ``an unknown time``; None for a key LiteLLM has never deleted (live, or never seen)."""
    answer = Reader(client, VIRTUAL_KEY).by_id(token, whole=True)
    info = (answer or {}).get("info") or {}
    if info.get("status") != "deleted":
        return None
    return info.get("deleted_at") or "an unknown time"


def revoked(client, value):
    """deleted_at of the key with ``value``: a value LiteLLM has deleted is never used again."""
    return deleted_at(client, key_hash(value))


def plan_new_value(client, key_file, key, label):
    """The value to create a key with (one that LiteLLM does not have) and where it must be kept first, read only:
    (value, where, note). ``where``: None (nothing to write: no key_file, or it holds the value already),
    ``file`` (write key_file), ``pending`` (write <key_file>.pending, renamed over key_file once LiteLLM has the key)
    or ``pending-kept`` (the .pending file holds it already). ``value`` is None when the caller makes a new one
    kept in key_file. ``note`` says why a value in key_file was not used. Raises ValidationError for a ``key`` or a
    key_file that cannot be used."""
    kept = read_key_file(key_file) if key_file else None
    pending = read_key_file(key_file + ".pending") if key_file else None
    for path, found in ((key_file, kept), ((key_file or "") + ".pending", pending)):
        if found is not None and key_problem(found):
            raise ValidationError("key_file %s does not hold a key: it %s" % (path, key_problem(found)))
    if key is not None:
        when = revoked(client, key)
        if when:
            raise ValidationError("key is the value of a key LiteLLM deleted (revoked) at %s, and a revoked value is "
                                  "never used again: give %s a new value" % (when, label))
        if kept is not None and kept != key:
            raise ValidationError("key_file %s holds another key than the key option" % key_file)
        return key, "file" if key_file and kept is None else None, None
    if pending is not None and not revoked(client, pending):
        return pending, "pending-kept", None  # a rotation or a replacement that stopped before LiteLLM had it
    if kept is None:
        return None, "file" if key_file else None, None
    when = revoked(client, kept)
    if not when:
        return kept, None, None  # a run that stopped before LiteLLM created the key
    return new_key(), "pending", ("key_file %s holds the value of a key LiteLLM deleted (revoked) at %s; a revoked "
                                  "value is never used again, so %s gets a new value" % (key_file, when, label))


def keep_value(key_file, value, where):
    """Write what plan_new_value said must be kept before LiteLLM sees ``value``."""
    if where == "file":
        write_key_file(key_file, value)
    elif where == "pending":
        if read_key_file(key_file + ".pending") is not None:
            os.remove(key_file + ".pending")  # a value LiteLLM deleted, never to be used
        write_key_file(key_file + ".pending", value)


def finish_value(key_file, where):
    """Once LiteLLM has the key: a value kept in <key_file>.pending replaces key_file."""
    if where in ("pending", "pending-kept"):
        os.replace(key_file + ".pending", key_file)


def key_file_plan(token, key, regenerate, key_file, kept, pending, label):
    """For an existing key with ``token``: whether to rotate it, and the work key_file needs as (what, path) or None.

    ``kept`` and ``pending`` are what key_file and its ``.pending`` file hold (None: no file). Raises
    ValidationError when key_file holds another key, or is missing and cannot be written.
    """
    rotate = regenerate or (key is not None and key_hash(key) != token)
    if not key_file:
        return rotate, None
    if kept is not None and key_hash(kept) == token:
        # a .pending file is from a rotation that never reached LiteLLM
        return rotate, ("drop", key_file + ".pending") if pending is not None else None
    if pending is not None and key_hash(pending) == token:
        return rotate, ("finish", key_file)  # LiteLLM rotated the key; the run stopped before the rename
    if kept is not None:
        raise ValidationError("key_file %s holds another key than %s (its hash is not the key's token); the module "
                              "does not overwrite it" % (key_file, label))
    if rotate:
        return rotate, None  # the rotation writes it
    if key is not None:
        return rotate, ("write", key_file)
    raise ValidationError("key_file %s does not exist, and LiteLLM never returns the value of an existing key: give "
                          "the key's value with key to write the file again, or set regenerate: true to rotate the key "
                          "and keep its new value there" % key_file)


def retiring_alias(alias, until):
    """The alias of a predecessor kept until ``until`` (seconds since the epoch)."""
    return "%s%s%s" % (alias, RETIRING, time.strftime(STAMP, time.gmtime(until)))


def retiring_of(name):
    """(alias, until) of a predecessor's alias ``<alias>.retiring-<until>``; None when ``name`` is not one."""
    alias, found, stamp = (name or "").rpartition(RETIRING)
    until = parse_time(stamp) if found and alias else None
    return None if until is None else (alias, until)


def predecessors_of(aliases, raws):
    """The live keys among ``raws`` that are predecessors (``<alias>.retiring-<until>``) of a key named in ``aliases``."""
    return [raw for raw in raws if (retiring_of(raw.get("key_alias")) or (None,))[0] in aliases] if aliases else []


def predecessors(client, alias):
    """The live predecessors of the key with ``alias`` (keys named <alias>.retiring-<until>), as (raw, until)."""
    listed = page_through(client, VIRTUAL_KEY.find, {"key_alias": alias + RETIRING, "substring_matching": "true"},
                          VIRTUAL_KEY)
    found = [(raw, retiring_of(raw["key_alias"])[1]) for raw in predecessors_of(set([alias]), listed)]
    return sorted(found, key=lambda item: item[0]["key_alias"])


class VirtualKeyModule(EntityModule):
    """The virtual_key module: the engine's EntityModule plus the key value (key, key_file, return_key),
    rotation (regenerate, rotation_period, grace_period) and a team given by alias."""

    def __init__(self):
        super(VirtualKeyModule, self).__init__(
            VIRTUAL_KEY, argument_spec=KEY_OPTIONS,
            mutually_exclusive=[("key", "regenerate"), ("key", "rotation_period"), ("team_id", "team_alias")],
            required_by={"rotation_period": "key_file"})
        self.value = None  # the key value this run creates or rotates to
        self.where = None  # where the value of a key to create is kept first (see plan_new_value)
        self.file_work = None  # (what, path) to do to key_file once the key is in order
        self.retired = []  # aliases of predecessors deleted by this run

    def run(self):
        params = self.params
        self.action = "validate %s" % VIRTUAL_KEY.label(params)
        if params["key"] is not None and key_problem(params["key"]):
            raise ValidationError("key %s" % key_problem(params["key"]))
        for option in ("rotation_period", "grace_period"):
            if params[option] is not None:
                duration_seconds(option, params[option])
        result = super(VirtualKeyModule, self).run()
        if self.value and params["return_key"] and not self.check_mode and params["key"] is None:
            result["key"] = self.value
        result["retired"] = self.retired
        result["changed"] = result["changed"] or bool(self.retired)
        return result

    # --- create ------------------------------------------------------------------------------------------------

    def present(self, label, raw, before, desired, members, looked_up_by_id):
        if raw is None:
            self.action = "create %s" % label
            self.value = self.value_to_create(label)
            changed, after = super(VirtualKeyModule, self).present(label, raw, before, desired, members,
                                                                   looked_up_by_id)
            if not self.check_mode:
                finish_value(self.params["key_file"], self.where)
            self.retire(after.get("key_alias") or desired.get("key_alias"))
            return changed, after
        self.action = "check the key_file of %s" % label
        rotate = self.plan_key_file(raw["token"]) or self.due(raw)
        if rotate:
            self.action = "rotate %s" % label
            self.ensure_kept("the new value of the rotated key")
            if self.check_mode and self.licensed():
                self.require(ROTATE_KEY, ROTATE_KEY.what)
                self.confirm_offered()
        changed, after = super(VirtualKeyModule, self).present(label, raw, before, desired, members,
                                                               looked_up_by_id)
        if self.file_work and not self.check_mode:
            self.do_file_work()
        if rotate and not self.check_mode:
            after = self.regenerate(label, raw) if self.licensed() else self.succeed(label, raw, after)
        self.retire(after.get("key_alias") or before.get("key_alias"))
        return changed or rotate or bool(self.file_work), after

    def value_to_create(self, label):
        """The value of the key to create: the key option, else what key_file (or its .pending file) kept from a
        run that stopped before LiteLLM created the key, unless LiteLLM has deleted that value, else a new one."""
        params = self.params
        self.action = "check the value of %s" % label
        value, self.where, note = plan_new_value(self.client, params["key_file"], params["key"], label)
        if note:
            self.warn(note)
        self.action = "create %s" % label
        if value is None:
            self.ensure_kept("the value of a new virtual key")
            value = new_key()
        if params["key"] is None and not params["return_key"]:
            self.no_log_values.add(value)
        return value

    def ensure_kept(self, what):
        params = self.params
        if not (params["key"] or params["key_file"] or params["return_key"]):
            raise ValidationError("%s is known only now: set key_file (or return_key: true, or key) so that it is "
                                  "not lost" % what)

    def create_body(self, body):
        keep_value(self.params["key_file"], self.value, self.where)  # before LiteLLM sees the key
        body["key"] = self.value
        return body

    # --- an existing key: key_file and rotation ------------------------------------------------------------

    def plan_key_file(self, token):
        """Check key_file against the key's token and plan the file work; returns whether to rotate the key."""
        params = self.params
        key_file = params["key_file"]
        kept = read_key_file(key_file) if key_file else None
        pending = read_key_file(key_file + ".pending") if key_file else None
        rotate, self.file_work = key_file_plan(token, params["key"], params["regenerate"], key_file, kept, pending,
                                               VIRTUAL_KEY.label(params))
        return rotate

    def due(self, raw):
        """Whether rotation_period says the key's value is due: its age is key_file's (written when the value was
        made) when key_file holds it, else LiteLLM's last rotation or creation of the key (LiteLLM 1.106's
        /key/regenerate records neither, hence rotation_period needs key_file)."""
        period, key_file = self.params["rotation_period"], self.params["key_file"]
        if not period:
            return False
        kept = read_key_file(key_file) if key_file else None
        if kept is not None and key_hash(kept) == raw["token"]:
            started = time.strftime(STAMP, time.gmtime(os.stat(key_file).st_mtime))
        else:
            started = raw.get("last_rotation_at") or raw.get("created_at")
        return rotation_due(started, period)

    def licensed(self):
        """Whether this proxy rotates keys itself (/key/{key}/regenerate, an Enterprise licence)."""
        return unsupported(self.client, ROTATE_KEY, ROTATE_KEY.what, paths=False) is None

    def do_file_work(self):
        what, path = self.file_work
        if what == "drop":
            os.remove(path)
        elif what == "finish":
            os.replace(path + ".pending", path)
        else:
            write_key_file(path, self.params["key"])

    def new_value(self):
        """The rotated key's value, kept in <key_file>.pending before LiteLLM sees it."""
        key_file = self.params["key_file"]
        self.value = self.params["key"] or new_key()
        if key_file:
            write_key_file(key_file + ".pending", self.value)
        return self.value

    def regenerate(self, label, raw):
        """LiteLLM rotates the key (it keeps its settings and spend; the old value works for grace_period)."""
        self.action = "rotate %s" % label
        self.require(ROTATE_KEY, ROTATE_KEY.what)
        body = {"new_key": self.new_value()}
        if self.params["grace_period"]:
            body["grace_period"] = self.params["grace_period"]
        self.client.post("/key/%s/regenerate" % raw["token"], body)
        return self.kept_rotated(label)

    def succeed(self, label, raw, after):
        """Rotation without a licence: the key is renamed <alias>.retiring-<until>, a successor with its alias, its
        settings and the new value is created, and the old key is deleted at once without grace_period."""
        resource, alias = self.resource, after["key_alias"]
        grace = duration_seconds("grace_period", self.params["grace_period"] or "0s")
        value = self.new_value()
        retiring = retiring_alias(alias, time.time() + grace)
        self.action = "rename %s to '%s' for its successor" % (label, retiring)
        self.client.post(resource.update.path, {"key": raw["token"], "key_alias": retiring}, idempotent=True)
        self.action = "create the successor of %s" % label
        settings = dict((k, v) for k, v in after.items()
                        if k in resource.by_name and resource.by_name[k].option and k not in NOT_INHERITED
                        and v is not None)
        settings.update((k, self.params[k]) for k in ("duration", "key_type") if self.params[k] is not None)
        body = resource.payload(settings)
        body.update(key=value, key_alias=alias)
        send_create(self.client, resource, body)
        if not grace:
            self.action = "delete the predecessor '%s' of %s" % (retiring, label)
            send_delete(self.client, resource, raw)
            self.retired.append(retiring)
        return self.kept_rotated(label)

    def kept_rotated(self, label):
        if self.params["key_file"]:
            os.replace(self.params["key_file"] + ".pending", self.params["key_file"])
        self.action = "read %s" % label
        return self.resource.view(self.reader.by_id(key_hash(self.value)))

    def retire(self, alias, everything=False):
        """Delete the predecessors of the key whose grace period has ended (``everything``: all of them)."""
        if not alias:
            return
        self.action = "find the predecessors of %s" % VIRTUAL_KEY.label(dict(key_alias=alias))
        now = time.time()
        for raw, until in predecessors(self.client, alias):
            if everything or until <= now:
                self.action = "delete the predecessor '%s' of %s" % (raw["key_alias"], VIRTUAL_KEY.label(
                    dict(key_alias=alias)))
                if not self.check_mode:
                    send_delete(self.client, self.resource, raw)
                self.retired.append(raw["key_alias"])

    # --- delete --------------------------------------------------------------------------------------------

    def absent(self, label, raw):
        """Delete the key and its predecessors, and key_file with it when it holds this key (or a key that was
        never created)."""
        changed, after = super(VirtualKeyModule, self).absent(label, raw)
        self.retire((raw or {}).get("key_alias") or self.params["key_alias"], everything=True)
        key_file = self.params["key_file"]
        kept = read_key_file(key_file) if key_file else None
        if kept is None:
            return changed, after
        if raw is not None and key_hash(kept) != raw["token"]:
            self.warn("key_file %s holds another key than %s; it was left in place" % (key_file, label))
            return changed, after
        if not self.check_mode:
            os.remove(key_file)
            if read_key_file(key_file + ".pending") is not None:
                os.remove(key_file + ".pending")  # the value of a rotation that never finished
        return True, after


class VirtualKeyInfoModule(InfoModule):
    """virtual_key_info, which also says whether a key looked up by its token was deleted (revoked) by LiteLLM."""

    def __init__(self):
        super(VirtualKeyInfoModule, self).__init__(VIRTUAL_KEY)

    def run(self):
        result = super(VirtualKeyInfoModule, self).run()
        if self.params["token"]:
            result["revoked"] = deleted_at(self.client, self.params["token"]) is not None
        return result
