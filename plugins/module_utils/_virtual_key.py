# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A virtual key's value: made by the module, kept where the user says before LiteLLM sees it, never printed.

LiteLLM stores only the SHA-256 of a key (its ``token``) and never returns the value again. The module therefore
chooses the value itself and, with ``key_file``, writes it to a 0600 file *before* sending it to /key/generate: a
run that stops after LiteLLM created the key finds it by alias next time, and one that stops before finds the
value in the file and creates the key with it. Either way there is one key, and its value is known. Rotation
(``regenerate``) works the same way through ``<key_file>.pending``. Everything else is the engine's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import hashlib
import os
import secrets

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.virtual_key import ROTATE_KEY, VIRTUAL_KEY

KEY_OPTIONS = dict(
    key=dict(type="str", no_log=True),
    key_file=dict(type="path"),
    return_key=dict(type="bool", default=False),
    regenerate=dict(type="bool", default=False),
    team_alias=dict(type="str"),
)
KEY_PREFIX = "sk-"
MINIMUM_KEY_LENGTH = 16  # LiteLLM's MINIMUM_CUSTOM_KEY_LENGTH


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
    """Create ``path`` with mode 0600 holding ``value``; an existing file is never replaced."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (IOError, OSError) as exc:
        raise ValidationError("cannot create %s: %s" % (path, exc.strerror))
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value + "\n")


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
    raise ValidationError("key_file %s does not exist, and LiteLLM never returns the value of an existing key: set "
                          "regenerate: true to rotate the key and keep its new value there" % key_file)


class VirtualKeyModule(EntityModule):
    """The virtual_key module: the engine's EntityModule plus the key value (key, key_file, return_key,
    regenerate) and a team given by alias."""

    def __init__(self):
        super(VirtualKeyModule, self).__init__(
            VIRTUAL_KEY, argument_spec=KEY_OPTIONS,
            mutually_exclusive=[("key", "regenerate"), ("team_id", "team_alias")])
        self.value = None  # the key value this run creates or rotates to
        self.file_work = None  # (what, path) to do to key_file once the key is in order

    def run(self):
        params = self.params
        self.action = "validate %s" % VIRTUAL_KEY.label(params)
        if params["key"] is not None and key_problem(params["key"]):
            raise ValidationError("key %s" % key_problem(params["key"]))
        result = super(VirtualKeyModule, self).run()
        if self.value and params["return_key"] and not self.check_mode and params["key"] is None:
            result["key"] = self.value
        return result

    # --- create ------------------------------------------------------------------------------------------------

    def present(self, label, raw, before, desired, members, looked_up_by_id):
        if raw is None:
            self.action = "create %s" % label
            self.value = self.value_to_create()
            return super(VirtualKeyModule, self).present(label, raw, before, desired, members, looked_up_by_id)
        self.action = "check the key_file of %s" % label
        rotate = self.plan_key_file(raw["token"])
        if rotate:
            self.action = "rotate %s" % label
            self.require(ROTATE_KEY, ROTATE_KEY.what)
            self.ensure_kept("the new value of the rotated key")
            if self.check_mode:
                self.confirm_offered()
        changed, after = super(VirtualKeyModule, self).present(label, raw, before, desired, members,
                                                               looked_up_by_id)
        if self.file_work and not self.check_mode:
            self.do_file_work()
        if rotate and not self.check_mode:
            after = self.rotate(label, raw)
        return changed or rotate or bool(self.file_work), after

    def value_to_create(self):
        """The value of the key to create: the key option, else what key_file kept from a run that stopped
        before LiteLLM created the key, else a new one."""
        key, key_file = self.params["key"], self.params["key_file"]
        kept = read_key_file(key_file) if key_file else None
        if kept is not None:
            if key_problem(kept):
                raise ValidationError("key_file %s does not hold a key: it %s" % (key_file, key_problem(kept)))
            if key is not None and key != kept:
                raise ValidationError("key_file %s holds another key than the key option" % key_file)
            return kept
        self.ensure_kept("the value of a new virtual key")
        if key is not None:
            return key
        value = new_key()
        if not self.params["return_key"]:
            self.no_log_values.add(value)
        return value

    def ensure_kept(self, what):
        params = self.params
        if not (params["key"] or params["key_file"] or params["return_key"]):
            raise ValidationError("%s is known only now: set key_file (or return_key: true, or key) so that it is "
                                  "not lost" % what)

    def create_body(self, body):
        key_file = self.params["key_file"]
        if key_file and read_key_file(key_file) is None:
            write_key_file(key_file, self.value)  # before LiteLLM sees the key: a retry creates this one
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

    def do_file_work(self):
        what, path = self.file_work
        if what == "drop":
            os.remove(path)
        elif what == "finish":
            os.replace(path + ".pending", path)
        else:
            write_key_file(path, self.params["key"])

    def rotate(self, label, raw):
        """Give the key a new value (LiteLLM keeps its settings and spend); returns the key's view after."""
        self.action = "rotate %s" % label
        key_file = self.params["key_file"]
        self.value = self.params["key"] or new_key()
        if key_file:
            write_key_file(key_file + ".pending", self.value)
        self.client.post("/key/%s/regenerate" % raw["token"], {"new_key": self.value})
        if key_file:
            os.replace(key_file + ".pending", key_file)
        self.action = "read %s" % label
        return self.resource.view(self.reader.by_id(key_hash(self.value)))

    # --- delete --------------------------------------------------------------------------------------------

    def absent(self, label, raw):
        """Delete the key, and key_file with it when it holds this key (or a key that was never created)."""
        changed, after = super(VirtualKeyModule, self).absent(label, raw)
        key_file = self.params["key_file"]
        kept = read_key_file(key_file) if key_file else None
        if kept is None:
            return changed, after
        if raw is not None and key_hash(kept) != raw["token"]:
            self.warn("key_file %s holds another key than %s; it was left in place" % (key_file, label))
            return changed, after
        if not self.check_mode:
            os.remove(key_file)
        return True, after
