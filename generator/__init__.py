"""solgen: YAML problems to verified, step-by-step worked solutions."""

from pathlib import Path

__version__ = "0.1.0"

# The built-in templates: inside the package when solgen is installed from a wheel
# (pyproject.toml maps templates/ to generator/templates), beside it in a clone.
_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates" if (_HERE / "templates").is_dir() else _HERE.parent / "templates"
