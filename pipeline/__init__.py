"""Publishing pipeline for multilingual crime-area briefings (factsheets and handbook)."""

__version__ = "0.1.0"
