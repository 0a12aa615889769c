"""A cancelled forum cancels the registrations that hold or wait for a seat, gives back their
workshop places and tells everyone once, in their language, through a real SMTP server."""

from __future__ import annotations

from mupass_forum import db
from mupass_forum.forums.queries import forum_ref
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.services import ForumChange
from mupass_forum.registrations import decisions
from tests.registrations.conftest import (
    add_item,
    mails_to,
    register,
    set_registration_settings,
)
from tests.registrations.test_interest import (
    confirm,
    interest,
    new_email,
    set_status,
    token_of,
)


def confirmed_interest(client, smtp_server, forum, email: str, **fields) -> None:
    assert interest(client, forum, email, **fields).status_code == 202
    [mail] = smtp_server.wait_for(to=email)
    assert confirm(client, forum, token_of(mail)).status_code == 200


def test_cancelling_a_forum_cancels_its_registrations_and_tells_everyone_once(
    mail_client, smtp_server, make_account, make_forum
) -> None:
    forum = make_forum(status="announced", capacity=1)
    seated = make_account(locale="de")
    waiting = make_account(locale="fr")
    pending = make_account(locale="es")
    gone_before = make_account(locale="en")
    only_interested, never_confirmed = new_email(), new_email()
    confirmed_interest(mail_client, smtp_server, forum, only_interested, locale="es")
    # Interest from an address that registers later: the registration's mail is enough.
    confirmed_interest(mail_client, smtp_server, forum, seated.email, locale="de")
    assert interest(mail_client, forum, never_confirmed).status_code == 202
    smtp_server.wait_for(to=never_confirmed)
    set_status(mail_client, forum, "registration_open")
    workshop = add_item(mail_client, forum, capacity=5)

    assert register(mail_client, forum, seated)["status"]["value"] == "confirmed"
    sign_up = f"/api/v1/forums/{forum.slug}/workshops/{workshop['id']}/sign-up"
    assert mail_client.post(sign_up, headers=seated.headers).status_code == 201
    assert register(mail_client, forum, waiting)["status"]["value"] == "waitlisted"
    left = register(mail_client, forum, gone_before)
    cancelled = mail_client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel",
        json={},
        headers=gone_before.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    set_registration_settings(mail_client, forum, requires_approval=True)
    assert register(mail_client, forum, pending)["status"]["value"] == "pending_approval"

    set_status(mail_client, forum, "cancelled")

    listing = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations", headers=forum.admin.headers
    ).json()["items"]
    assert [item["status"]["value"] for item in listing] == ["cancelled"] * 4
    seated_id = listing[0]["id"]
    history = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{seated_id}/history",
        headers=forum.admin.headers,
    ).json()
    # The organizer who cancelled the forum cancelled the registrations.
    assert [(h["to_status"]["value"], h["actor_id"]) for h in history] == [
        ("confirmed", seated.id),
        ("cancelled", forum.admin.id),
    ]
    # The one who had left earlier keeps the history of having left.
    left_history = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{left['id']}/history",
        headers=forum.admin.headers,
    ).json()
    assert [h["actor_id"] for h in left_history] == [gone_before.id, gone_before.id]

    stats = mail_client.get(f"/api/v1/forums/{forum.slug}/stats", headers=forum.admin.headers)
    totals = stats.json()["registration_totals"]
    assert (totals["cancelled"], totals["confirmed"], totals["waitlisted"]) == (4, 0, 0)
    assert totals["pending_approval"] == 0
    settings = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
    ).json()
    assert settings["seats_taken"] == 0
    export = mail_client.get(
        f"/api/v1/forums/{forum.slug}/registrations/export?format=csv&lang=de",
        headers=forum.admin.headers,
    )
    assert export.status_code == 200, export.text
    assert export.text.count(";Storniert;") == 4
    workshops = mail_client.get(
        f"/api/v1/forums/{forum.slug}/workshops", headers=forum.admin.headers
    ).json()
    assert [w["places_taken"] for w in workshops] == [0]

    *_, seated_news = mails_to(smtp_server, seated, 4)  # interest, invitation, seat, news
    assert seated_news["Content-Language"] == "de"
    assert seated_news["Subject"] == "Testforum ist abgesagt"
    assert "Workshops" in seated_news.get_body(("plain",)).get_content()
    _, waiting_news = mails_to(smtp_server, waiting, 2)
    assert waiting_news["Subject"] == "Test forum est annulé"
    _, pending_news = mails_to(smtp_server, pending, 2)
    assert pending_news["Subject"] == "Test forum se ha cancelado"
    mails_to(smtp_server, gone_before, 2)  # waiting list, own cancellation: no news
    *_, interest_news = mails_to(smtp_server, only_interested, 3)
    assert interest_news["Content-Language"] == "es"
    assert interest_news["Subject"] == "Test forum se ha cancelado"
    assert "interés" in interest_news.get_body(("plain",)).get_content()
    mails_to(smtp_server, never_confirmed, 1)

    # Cancelling again is refused; archiving and a retried change tell nobody anything new.
    again = mail_client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "cancelled"},
        headers=forum.admin.headers,
    )
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
    set_status(mail_client, forum, "archived")

    async def retry() -> None:
        async with db.transaction():
            before = await forum_ref(forum.slug)
            await decisions.on_forum_change(
                ForumChange(before=before, changes={"status": ForumStatus.CANCELLED})
            )

    mail_client.blocking_portal.call(retry)
    for who, count in ((seated, 4), (waiting, 2), (pending, 2), (only_interested, 3)):
        mails_to(smtp_server, who, count)


def test_a_cancelled_announced_forum_mails_only_confirmed_interest(
    mail_client, smtp_server, make_forum
) -> None:
    forum = make_forum(status="announced")
    confirmed, unconfirmed = new_email(), new_email()
    confirmed_interest(mail_client, smtp_server, forum, confirmed, locale="fr")
    assert interest(mail_client, forum, unconfirmed).status_code == 202
    set_status(mail_client, forum, "cancelled")
    _, news = mails_to(smtp_server, confirmed, 2)
    assert news["Subject"] == "Test forum est annulé"
    (link,) = mails_to(smtp_server, unconfirmed, 1)

    # The link mailed before the cancellation says so instead of confirming in silence.
    late = mail_client.post(
        f"/api/v1/forums/{forum.slug}/interest/confirm?lang=es", json={"token": token_of(link)}
    )
    assert late.status_code == 409
    assert late.json()["code"] == "forum_cancelled"
    assert late.json()["detail"].startswith("Este foro")
    mails_to(smtp_server, unconfirmed, 1)
