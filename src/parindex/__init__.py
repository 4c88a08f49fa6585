"""parindex: the system of record for a Sở Y tế's Administrative Reform Index (Chỉ số CCHC)."""

__version__ = "0.1.0"
