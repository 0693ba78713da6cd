"""Where the program's own files are: the one definition every module uses.

The built-in templates live in `templates/` at the top of the repository. A wheel
installs them inside the package (`pipeline/templates`, mapped in pyproject.toml), and
they are found there through `importlib.resources`, so an installed `pipeline` works
from any folder. A source checkout (an editable install, or `python -m pipeline` in
the repository) has no `pipeline/templates` and uses the repository's folder instead.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# The repository of a source checkout: the folder above the package.
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def builtin_templates() -> Path:
    """The folder of the built-in Jinja templates and stylesheets.

    It must be a real folder (WeasyPrint loads stylesheets by file URL): wheels are
    always unpacked by their installers, so the package's resources are files.
    """
    installed = files("pipeline") / "templates"
    if isinstance(installed, Path) and installed.is_dir():
        return installed.resolve()
    checkout = SOURCE_ROOT / "templates"
    if (SOURCE_ROOT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    # An incomplete installation: name where the templates should be, so that the first
    # template lookup fails with "template 'x' not found in <this folder>".
    return Path(str(installed))


# Jinja templates, CSS and any assets: with a content's override folder (branding.yaml
# `templates:`), the only files a rendered document may load.
TEMPLATES_DIR = builtin_templates()
