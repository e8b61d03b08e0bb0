"""solgen: YAML problems to verified, step-by-step worked solutions."""

__version__ = "0.1.0"
