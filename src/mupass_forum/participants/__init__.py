"""Participants: regions and countries (UN M49, names from CLDR)."""
