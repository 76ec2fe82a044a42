"""Curbside: a self-hosted answer engine for clinical medication questions."""

__version__ = "0.1.0"
