#!/usr/bin/env python3
"""Write each addon's README.rst from its manifest and ``readme/*.md`` fragments.

A light stand-in for OCA's oca-gen-addon-readme, run by hand after editing a
fragment: ``python3 tools/gen_readme.py``.
"""

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTIONS = (
    ("CONTEXT.md", "Context"),
    ("DESCRIPTION.md", "Description"),
    ("USAGE.md", "Usage"),
    ("DEVELOP.md", "For developers"),
)


def render(addon_dir):
    with open(os.path.join(addon_dir, "__manifest__.py"), encoding="utf-8") as f:
        manifest = ast.literal_eval(f.read())
    title = manifest["name"]
    parts = ["=" * len(title), title, "=" * len(title), "", manifest["summary"], ""]
    parts += [
        f"``{manifest['version']}`` · {manifest['development_status']} · {manifest['license']}",
        "",
    ]
    for fragment, heading in SECTIONS:
        path = os.path.join(addon_dir, "readme", fragment)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                parts += [heading, "=" * len(heading), "", f.read().strip(), ""]
    parts += ["Credits", "=======", "", "Authors: " + manifest["author"], ""]
    parts += ["Generated from the ``readme/`` fragments by ``tools/gen_readme.py``.", ""]
    return "\n".join(parts)


def main():
    addons = os.path.join(ROOT, "addons")
    for name in sorted(os.listdir(addons)):
        addon_dir = os.path.join(addons, name)
        if os.path.exists(os.path.join(addon_dir, "__manifest__.py")):
            with open(os.path.join(addon_dir, "README.rst"), "w", encoding="utf-8") as f:
                f.write(render(addon_dir))


if __name__ == "__main__":
    main()
