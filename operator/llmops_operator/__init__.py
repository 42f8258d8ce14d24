"""llmops.litellm's Kubernetes operator: a Kopf shim that runs Operator-SDK-style watches with ansible-runner.

The operator imports the collection it ships in (``ansible_collections.llmops.litellm``: the kinds and the
custom-resource rules of its module_utils), from where config.collections_dir finds it.
"""

import sys

from llmops_operator.config import collections_dir

_COLLECTIONS = collections_dir()
if _COLLECTIONS is not None and str(_COLLECTIONS) not in sys.path:
    sys.path.append(str(_COLLECTIONS))
