"""Registering, the waiting list and decisions, with every mail through a real SMTP server:
each arrives exactly once, in the recipient's language."""

from __future__ import annotations

from tests.registrations.conftest import days_from_today, decide, mails_to, register


def test_a_cancellation_promotes_the_next_person_and_mails_both(
    mail_client, smtp_server, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=1)
    first = make_account(locale="de")
    second = make_account(locale="fr")
    third = make_account(locale="es")

    assert register(mail_client, forum, first)["status"]["value"] == "confirmed"
    waiting = register(mail_client, forum, second)
    assert (waiting["status"]["value"], waiting["position"]) == ("waitlisted", 1)
    assert register(mail_client, forum, third)["position"] == 2

    response = mail_client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel",
        json={"reason": "Krank"},
        headers=first.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"]["value"] == "cancelled"

    promoted = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=second.headers
    ).json()
    assert (promoted["status"]["value"], promoted["position"]) == ("confirmed", None)
    assert promoted["badge_number"] == 2
    still_waiting = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=third.headers
    ).json()
    assert (still_waiting["status"]["value"], still_waiting["position"]) == ("waitlisted", 1)

    confirmed, cancelled = mails_to(smtp_server, first, 2)
    assert confirmed["Content-Language"] == "de"
    assert confirmed["Subject"] == "Ihr Platz beim Forum „Testforum“ ist bestätigt"
    assert cancelled["Subject"] == "Ihre Anmeldung zum Forum „Testforum“ ist storniert"
    assert "Krank" in cancelled.get_body(("plain",)).get_content()

    waitlisted, promotion = mails_to(smtp_server, second, 2)
    assert waitlisted["Content-Language"] == "fr"
    assert waitlisted["Subject"] == "Vous êtes sur la liste d’attente pour le forum « Test forum »"
    assert promotion["Subject"] == "Une place pour le forum « Test forum » vous est attribuée"
    assert "2" in promotion.get_body(("plain",)).get_content()
    [third_mail] = mails_to(smtp_server, third, 1)
    assert third_mail["Content-Language"] == "es"


def test_approval_decline_and_check_in_each_mail_the_participant(
    mail_client, smtp_server, make_account, make_forum
) -> None:
    # It begins tomorrow: check-in opens the day before.
    forum = make_forum(
        status="registration_open",
        capacity=1,
        starts_at=days_from_today(1),
        ends_at=days_from_today(2, hour=17),
    )
    response = mail_client.put(
        f"/api/v1/forums/{forum.slug}/registration-settings",
        json={"requires_approval": True},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    accepted, declined, late = (make_account(locale="en") for _ in range(3))
    pending = register(mail_client, forum, accepted)
    assert pending["status"] == {"value": "pending_approval", "label": "Awaiting approval"}
    refused = register(mail_client, forum, declined)
    later = register(mail_client, forum, late)

    assert decide(mail_client, forum, pending["id"], "approve")["status"]["value"] == "confirmed"
    # No seat is left: approving puts the person on the waiting list.
    assert decide(mail_client, forum, later["id"], "approve")["status"]["value"] == "waitlisted"
    outcome = decide(mail_client, forum, refused["id"], "decline", reason="Nur für Kommunen")
    assert outcome["status"]["value"] == "declined"
    checked_in = decide(mail_client, forum, pending["id"], "check_in")
    assert checked_in["status"]["value"] == "attended"

    history = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{refused['id']}/history",
        headers=forum.admin.headers,
    ).json()
    assert [(h["from_status"], h["to_status"]["value"]) for h in history] == [
        (None, "pending_approval"),
        ({"value": "pending_approval", "label": "Awaiting approval"}, "declined"),
    ]
    assert history[1]["actor_id"] == forum.admin.id
    assert history[1]["reason"] == "Nur für Kommunen"

    subjects = [m["Subject"] for m in mails_to(smtp_server, accepted, 3)]
    assert subjects == [
        "We have received your registration for “Test forum”",
        "Your seat at “Test forum” is confirmed",
        "Welcome to “Test forum”",
    ]
    pending_mail, decision = mails_to(smtp_server, declined, 2)
    assert pending_mail["Subject"] == "We have received your registration for “Test forum”"
    assert decision["Subject"] == "Your registration for “Test forum”"
    # The reason is the organizers', not the participant's own.
    assert "The organizers’ reason: Nur für Kommunen" in decision.get_body(("plain",)).get_content()
    assert [m["Subject"] for m in mails_to(smtp_server, late, 2)][1] == (
        "You are on the waiting list for “Test forum”"
    )
