"""The organizer's desk: pages for those who edit a forum (its organizers, the admins of its
lead and partner institutes, platform admins), over the same services as the API."""
