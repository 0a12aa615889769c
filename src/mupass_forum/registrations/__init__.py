"""Expressions of interest, registrations with a waiting list, regional statistics, exports."""
