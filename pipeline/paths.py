"""Where the project's own files are: the one definition every module uses."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Jinja templates, CSS and any assets: the only files a rendered document may load.
TEMPLATES_DIR = PROJECT_ROOT / "templates"
