"""solgen: YAML problems to verified, step-by-step worked solutions."""

from pathlib import Path

__version__ = "0.1.0"

# The built-in templates: inside the package when solgen is installed from a wheel; in a
# clone generator/templates is a link to templates/ (see pyproject.toml), resolved here so
# messages name the folder people edit.
_HERE = Path(__file__).resolve().parent
TEMPLATES = (_HERE / "templates").resolve()
