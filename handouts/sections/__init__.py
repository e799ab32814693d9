"""Handout content: the section model, and loading it from YAML."""

from .load import load_handout
from .model import (
    RISK_DISCLOSURE_KIND,
    SECTION_KINDS,
    Handout,
    Reference,
    RiskDisclosure,
    Section,
    SourceText,
)

__all__ = [
    "RISK_DISCLOSURE_KIND",
    "SECTION_KINDS",
    "Handout",
    "Reference",
    "RiskDisclosure",
    "Section",
    "SourceText",
    "load_handout",
]
