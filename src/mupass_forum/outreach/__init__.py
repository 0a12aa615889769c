"""Mail to a forum's people: organizers' messages, reminders before a forum, mails to organizers."""
