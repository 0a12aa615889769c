"""The translators' workflow: the UI catalogs (``catalogs``) and, later, content translation."""
