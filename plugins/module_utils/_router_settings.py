# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One writer of a proxy's router settings at a time on this host.

LiteLLM keeps its router settings in one database row, and every route that writes them reads the whole row and
writes it back (``/config/update`` merging the keys it is sent, ``/fallback`` and ``DELETE /fallback/{model}`` with
one model's fallbacks changed): two writes at once lose one of them, whatever keys they change. The model aliases
go further: their map is one key of the row, read and written back whole by the collection. Writes of the row
(model aliases, fallbacks, the proxy settings' router settings) are therefore made one at a time on this host:
between the threads of a process (gateway_state's pool) by a lock, between processes (the operator's runs side by
side, playbooks run at once) by an advisory lock on a file named after the proxy's URL. Writers on other hosts,
and LiteLLM's Admin UI, are not held back: give the router settings of a proxy one owner.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import hashlib
import os
import tempfile
import threading

try:
    import fcntl
except ImportError:  # not POSIX: the threads of one process are still held back
    fcntl = None

_WRITING = threading.Lock()


def lock_path(url):
    """The advisory lock file of the router settings of the proxy at ``url`` (the same for every process of this
    host)."""
    digest = hashlib.sha256(url.rstrip("/").encode("utf-8")).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), "llmops-litellm-router-settings-%s.lock" % digest)


@contextlib.contextmanager
def one_writer(url):
    """Hold every other writer of the router settings of the proxy at ``url`` on this host back: the threads of
    this process, and the processes that can open the lock file (one that cannot, a read-only /tmp, still writes)."""
    with _WRITING:
        try:  # read only, never written, no symbolic link followed: only its lock is used
            descriptor = os.open(lock_path(url), os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644) \
                if fcntl is not None else None
        except (IOError, OSError):
            descriptor = None
        try:
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            if descriptor is not None:
                os.close(descriptor)  # releases the lock
