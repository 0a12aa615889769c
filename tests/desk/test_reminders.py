"""The reminder before a forum: mailed by itself once, on the right day, in each person's
language, with the venue, times, programme and calendar links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mupass_forum.outreach.reminders import send_reminders
from mupass_forum.outreach.tables import ForumReminder
from tests.mail_fixtures import text_of
from tests.registrations.conftest import days_from_today, mails_to, register


async def reminded(user_id: int) -> list[int]:
    rows = await ForumReminder.select(ForumReminder.forum).where(ForumReminder.user == user_id)
    return [row["forum"] for row in rows]


def test_the_reminder_goes_once_on_its_day(
    mail_client, smtp_server, mail_settings, make_forum, make_account
) -> None:
    soon = make_forum(
        status="registration_open",
        starts_at=days_from_today(5),
        ends_at=days_from_today(6, hour=17),
        venue={"name": "Haus der Kulturen", "city": "Bonn", "country": "DE"},
    )
    later = make_forum(
        status="registration_open", starts_at=days_from_today(20), ends_at=days_from_today(21)
    )
    person = make_account(locale="fr", timezone="Africa/Dakar")
    for forum in (soon, later):
        register(mail_client, forum, person)

    call = mail_client.blocking_portal.call
    settings = mail_settings.replace(reminder_days=7)
    # The database is shared with other tests' forums: count this person's reminders.
    # Eight days before, nothing is due yet.
    call(send_reminders, settings, datetime.now(UTC) - timedelta(days=3))
    assert call(reminded, person.id) == []
    call(send_reminders, settings)
    assert call(reminded, person.id) == [soon.id]
    # Again (the next run, or two at once): nobody twice.
    call(send_reminders, settings)
    assert call(reminded, person.id) == [soon.id]

    _, _, reminder = mails_to(smtp_server, person, 3)
    assert reminder["Content-Language"] == "fr"
    text = text_of(reminder)
    assert "Haus der Kulturen, Bonn, Allemagne" in text
    assert f"/forums/{soon.slug}?lang=fr" in text
    assert f"/api/v1/forums/{soon.slug}/calendar.ics?lang=fr" in text
    assert "commence le" in text
