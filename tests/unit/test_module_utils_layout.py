"""plugins/module_utils stays split by concern: no file over ~600 lines (kubernetes.core's largest is ~700)."""

from pathlib import Path

MODULE_UTILS = Path(__file__).resolve().parents[2] / "plugins" / "module_utils"
MOST_LINES = 600


def test_no_module_utils_file_is_over_600_lines():
    sizes = dict((str(path.relative_to(MODULE_UTILS)), len(path.read_text().splitlines()))
                 for path in MODULE_UTILS.rglob("*.py"))
    assert "_spec.py" in sizes and "kinds/model.py" in sizes  # the walk finds the files it is for
    assert sorted(name for name, lines in sizes.items() if lines > MOST_LINES) == []
