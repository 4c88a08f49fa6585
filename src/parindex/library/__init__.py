"""The built-in library: framework templates and the demo province."""

from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parent
FRAMEWORK_FILES = ("so-2021.yaml", "so-2022.yaml", "so-2023.yaml")
DEMO_UNITS = LIBRARY_DIR / "demo-units.csv"
