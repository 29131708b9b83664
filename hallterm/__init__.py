"""hallterm: the keyboard-driven front desk of a government service hall."""

__version__ = "0.1.0"
