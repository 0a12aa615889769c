"""The page tests' browser (a cookie jar of its own per test) for the documents' pages."""

from tests.pages.conftest import browser

__all__ = ["browser"]
