"""Best-practice proposals: contributions people offer to a forum, reviewed by its organizers."""
