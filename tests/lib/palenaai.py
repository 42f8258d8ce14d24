"""PalenaAI's operator README (shared/seeds): where it is, and the manifests it shows, each read whole.

The seed is the rendered page's text. A manifest runs from its ``apiVersion: litellm.palena.ai/v1alpha1`` line,
over blank lines and comments, to the first line of prose: a non-indented line that is not a top-level manifest key,
``---``, a list item or a comment. (A blank line does not end it: the Fallback Chains example has several.)
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
API_VERSION = "litellm.palena.ai/v1alpha1"
README = Path(os.environ.get("LLMOPS_PALENAAI_README", REPO.parent / "shared" / "seeds" / "palenaai-litellm-operator-README.txt"))
TOP_LEVEL = ("apiVersion:", "kind:", "metadata:", "spec:", "type:", "stringData:", "data:")


def manifest_blocks(text: str, start: str = f"apiVersion: {API_VERSION}") -> list[str]:
    """The text of each manifest block of the README, in order (a block may hold several ``---`` documents); a block
    starts at the line ``start`` (``"apiVersion:"``: at any apiVersion line, the Secrets' too)."""
    blocks: list[str] = []
    block: list[str] | None = None
    for line in text.splitlines() + ["END"]:
        in_manifest = not line.strip() or line.startswith((" ", "#", "-")) or line.startswith(TOP_LEVEL)
        if block is not None and not in_manifest:
            blocks.append("\n".join(block).rstrip() + "\n")
            block = None
        if block is None and (line == start or start.endswith(":") and line.startswith(start)):
            block = []
        if block is not None:
            block.append(line)
    return blocks


def manifests(text: str | None = None) -> list[dict]:
    """Every YAML document of the README's manifest blocks whose apiVersion is PalenaAI's."""
    text = README.read_text() if text is None else text
    return [doc for block in manifest_blocks(text) for doc in yaml.safe_load_all(block)
            if doc and doc.get("apiVersion") == API_VERSION]
