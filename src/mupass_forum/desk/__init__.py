"""The organizer's desk: the pages from which organizers run a forum."""
