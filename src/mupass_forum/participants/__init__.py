"""Participants: profiles, the directory, topics, and regions and countries (UN M49, CLDR names)."""
