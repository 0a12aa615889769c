"""Multilingual, cross-border dialogue forums on sustainable public procurement."""

__version__ = "0.1.0"
