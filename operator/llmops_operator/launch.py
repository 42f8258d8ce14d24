"""Start ansible-playbook with the run's secrets in its environment, without ansible-runner ever seeing them.

ansible-runner records the whole environment of a run in ``artifacts/<ident>/command``. So the shim passes
secrets in a 0600 file outside the private data dir, named by ``LLMOPS_OPERATOR_SECRETS_FILE``; this launcher
(ansible-runner's ``binary``) reads it, deletes it, puts the values in its environment and execs ansible-playbook,
the one beside the operator's Python (else the next on PATH). It is installed as ``ansible-playbook`` in a folder
first on the run's PATH. Standalone on purpose: it runs as a script, not from the package.
"""

import json
import os
import shutil
import sys


def main() -> None:
    path = os.environ.pop("LLMOPS_OPERATOR_SECRETS_FILE", "")
    if path:
        with open(path, encoding="utf-8") as stream:
            os.environ.update(json.load(stream))
        os.unlink(path)
    own = os.path.dirname(os.path.abspath(sys.argv[1]))  # the launcher script's folder (its "$0")
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.abspath(p) != own)
    os.environ["PATH"] = path
    playbook = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable)) or shutil.which("ansible-playbook", path=path)
    if playbook is None:
        sys.exit("llmops_operator: ansible-playbook not found beside the operator's Python nor on PATH")
    os.execv(playbook, [playbook, *sys.argv[2:]])


if __name__ == "__main__":
    main()
