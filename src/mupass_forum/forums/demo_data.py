"""Demonstration forums: the MUPASS Dialogue Forum 2019 in Bonn and the first stakeholder
network meeting of the inter-ministerial committee for sustainable public procurement (Berlin,
2024), with their organizations and programmes in German, English, French and Spanish; and
three editions of the MUPASS Dialogue Forum dated from the day the demonstration is loaded, so
that it always has something to do: last year's, held in Accra; the next one, in Bonn in six
weeks, open for registration; and the one after, in Bogotá, taking expressions of interest.

Every demonstration forum is marked ``is_demo``, so retention leaves it alone. What they say is
in ``demo_content``; this module writes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mupass_forum import db
from mupass_forum.accounts.tables import Organization
from mupass_forum.forums.demo_content import (
    IDOS,
    LIVING_FORUMS,
    LIVING_PROGRAMME,
    MUPASS_2019_PROGRAMME,
    NETWORK_2024_PROGRAMME,
    SERIES,
    SKEW,
    Item,
    LivingForum,
    T,
)
from mupass_forum.forums.tables import Forum, ForumPartner, ForumSeries, ProgrammeItem


def _text(texts: T, original: str) -> dict[str, Any]:
    return {"original": original, "texts": texts}


def _at(day: str, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=zone).astimezone(UTC)


async def _organization(spec: dict[str, str]) -> int:
    names = [spec["name"], *([spec["former_name"]] if "former_name" in spec else [])]
    row = await Organization.select(Organization.id).where(Organization.name.is_in(names)).first()
    if row is not None:
        return int(row["id"])
    rows = await Organization.insert(
        Organization(
            name=spec["name"],
            kind=spec["kind"],
            country=spec["country"],
            website=spec["website"],
        )
    ).returning(Organization.id)
    return int(rows[0]["id"])


async def _series(slug: str, name: T, original: str) -> int:
    row = await ForumSeries.select(ForumSeries.id).where(ForumSeries.slug == slug).first()
    if row is not None:
        return int(row["id"])
    rows = await ForumSeries.insert(ForumSeries(slug=slug, name=_text(name, original))).returning(
        ForumSeries.id
    )
    return int(rows[0]["id"])


async def _programme(forum_id: int, items: list[Item], zone: ZoneInfo, original: str) -> None:
    await ProgrammeItem.insert(
        *(
            ProgrammeItem(
                forum=forum_id,
                kind=kind,
                title=_text(title, original),
                description=_text(description, original) if description else None,
                starts_at=_at(day, start, zone),
                ends_at=_at(day, end, zone),
                room=room,
                capacity=capacity,
                language="de" if original == "de" else "en",
                interpretation=["de", "en", "fr", "es"] if original == "en" else ["en"],
            )
            for day, start, end, kind, title, description, room, capacity in items
        )
    )


async def load_forums() -> list[str]:
    """The two demonstration forums, unless there are forums already."""
    if await Forum.exists():
        return []
    async with db.transaction():
        idos = await _organization(IDOS)
        skew = await _organization(SKEW)
        mupass = await _series(*SERIES[0], "en")
        network = await _series(*SERIES[1], "de")
        bonn = ZoneInfo("Europe/Berlin")
        rows = await Forum.insert(
            Forum(
                slug="mupass-dialogue-forum-2019",
                series=mupass,
                edition=2019,
                kind="dialogue_forum",
                status="held",
                title=_text(
                    {
                        "en": "MUPASS Dialogue Forum 2019",
                        "de": "MUPASS-Dialogforum 2019",
                        "fr": "Forum de dialogue MUPASS 2019",
                        "es": "Foro de Diálogo MUPASS 2019",
                    },
                    "en",
                ),
                summary=_text(
                    {
                        "en": "Three days of exchange on sustainable and strategic public "
                        "procurement between municipal practitioners from Europe, "
                        "Sub-Saharan Africa and Latin America.",
                        "de": "Drei Tage Austausch über nachhaltige und strategische "
                        "öffentliche Beschaffung zwischen kommunalen Fachleuten aus Europa, "
                        "Subsahara-Afrika und Lateinamerika.",
                        "fr": "Trois jours d’échanges sur les achats publics durables et "
                        "stratégiques entre praticiens communaux d’Europe, d’Afrique "
                        "subsaharienne et d’Amérique latine.",
                        "es": "Tres días de intercambio sobre compras públicas sostenibles y "
                        "estratégicas entre profesionales municipales de Europa, África "
                        "subsahariana y América Latina.",
                    },
                    "en",
                ),
                description=_text(
                    {
                        "en": "The MUPASS Dialogue Forum brings together procurement staff of "
                        "municipalities, ministries and networks to share what works: "
                        "criteria for fair and green tenders, strategies that councils "
                        "adopt, and ways to measure impact. Plenaries and panels alternate "
                        "with break-out workshops; interpretation is provided into German, "
                        "English, French and Spanish.",
                        "de": "Das MUPASS-Dialogforum bringt Beschaffungsverantwortliche aus "
                        "Kommunen, Ministerien und Netzwerken zusammen, um zu teilen, was "
                        "funktioniert: Kriterien für faire und umweltfreundliche "
                        "Ausschreibungen, Strategien, die Räte beschließen, und Wege, "
                        "Wirkung zu messen. Plenum und Podien wechseln sich mit "
                        "Arbeitsgruppen ab; gedolmetscht wird in Deutsch, Englisch, "
                        "Französisch und Spanisch.",
                        "fr": "Le forum de dialogue MUPASS réunit les acheteurs des communes, "
                        "des ministères et des réseaux pour partager ce qui fonctionne : "
                        "critères pour des appels d’offres équitables et verts, stratégies "
                        "adoptées par les conseils, moyens de mesurer l’impact. Plénières "
                        "et tables rondes alternent avec des ateliers en sous-groupes ; "
                        "l’interprétation est assurée en allemand, anglais, français et "
                        "espagnol.",
                        "es": "El Foro de Diálogo MUPASS reúne a responsables de compras de "
                        "municipios, ministerios y redes para compartir lo que funciona: "
                        "criterios para licitaciones justas y verdes, estrategias que "
                        "adoptan los concejos y formas de medir el impacto. Las plenarias "
                        "y los paneles se alternan con talleres en grupos; hay "
                        "interpretación al alemán, inglés, francés y español.",
                    },
                    "en",
                ),
                venue_name="Gustav-Stresemann-Institut",
                venue_address="Langer Grabenweg 68, 53175 Bonn",
                venue_room="Plenarsaal",
                venue_city="Bonn",
                venue_country="DE",
                timezone="Europe/Berlin",
                starts_at=_at("2019-10-28", "08:30", bonn),
                ends_at=_at("2019-10-30", "12:30", bonn),
                capacity=60,
                interest_deadline=_at("2019-06-30", "23:59", bonn),
                registration_opens_at=_at("2019-07-15", "09:00", bonn),
                registration_closes_at=_at("2019-09-15", "23:59", bonn),
                languages=[
                    {"code": code, "interpretation": True} for code in ("de", "en", "fr", "es")
                ],
                lead_organization=idos,
                contact_email="mupass-forum@example.org",
                is_demo=True,
            )
        ).returning(Forum.id)
        mupass_forum = int(rows[0]["id"])
        await ForumPartner.insert(ForumPartner(forum=mupass_forum, organization=skew))
        await _programme(mupass_forum, MUPASS_2019_PROGRAMME, bonn, "en")

        rows = await Forum.insert(
            Forum(
                slug="spp-stakeholder-network-2024",
                series=network,
                edition=2024,
                kind="network_meeting",
                status="held",
                title=_text(
                    {
                        "de": "1. Stakeholder-Netzwerktreffen des Interministeriellen "
                        "Ausschusses für nachhaltige öffentliche Beschaffung",
                        "en": "1st stakeholder network meeting of the inter-ministerial "
                        "committee for sustainable public procurement",
                        "fr": "1re rencontre du réseau des parties prenantes du comité "
                        "interministériel pour les achats publics durables",
                        "es": "1.er encuentro de la red de actores del comité "
                        "interministerial de compras públicas sostenibles",
                    },
                    "de",
                ),
                summary=_text(
                    {
                        "de": "Ein Tag für Wirtschaft, Kommunen, Wissenschaft und "
                        "Zivilgesellschaft, um mit dem Ausschuss über die nächsten Schritte "
                        "nachhaltiger Beschaffung des Bundes zu sprechen.",
                        "en": "A day for business, municipalities, research and civil "
                        "society to discuss the next steps of sustainable federal "
                        "procurement with the committee.",
                        "fr": "Une journée pour les entreprises, les communes, la recherche "
                        "et la société civile afin de discuter avec le comité des "
                        "prochaines étapes des achats durables de l’État fédéral.",
                        "es": "Una jornada para que empresas, municipios, investigación y "
                        "sociedad civil debatan con el comité los próximos pasos de las "
                        "compras sostenibles del Gobierno federal.",
                    },
                    "de",
                ),
                venue_name="Umweltforum Berlin",
                venue_address="Pufendorfstraße 11, 10249 Berlin",
                venue_room="Kirchsaal",
                venue_city="Berlin",
                venue_country="DE",
                timezone="Europe/Berlin",
                starts_at=_at("2024-09-19", "09:30", bonn),
                ends_at=_at("2024-09-19", "16:30", bonn),
                capacity=200,
                interest_deadline=_at("2024-06-14", "23:59", bonn),
                languages=[
                    {"code": "de", "interpretation": False},
                    {"code": "en", "interpretation": True},
                ],
                lead_organization=idos,
                contact_email="stakeholder-network@example.org",
                is_demo=True,
            )
        ).returning(Forum.id)
        network_forum = int(rows[0]["id"])
        await ForumPartner.insert(ForumPartner(forum=network_forum, organization=skew))
        await _programme(network_forum, NETWORK_2024_PROGRAMME, bonn, "de")
        living = [await _living_forum(spec, mupass, idos, skew) for spec in LIVING_FORUMS]
    return [
        "forum mupass-dialogue-forum-2019 (Bonn, 28–30 October 2019) with its programme",
        "forum spp-stakeholder-network-2024 (Berlin, 19 September 2024) with its programme",
        *living,
    ]


async def _living_forum(spec: LivingForum, series: int, lead: int, partner: int) -> str:
    zone = ZoneInfo(spec.timezone)
    today = datetime.now(zone).date()
    first = spec.first_day(today)
    edition = first.year

    def at(offset: int, clock: str) -> datetime:
        return _at((first + timedelta(days=offset)).isoformat(), clock, zone)

    def days_from_today(offset: int, clock: str = "23:59") -> datetime:
        return _at((today + timedelta(days=offset)).isoformat(), clock, zone)

    open_for_registration = spec.status == "registration_open"
    rows = await Forum.insert(
        Forum(
            slug=spec.slug(today),
            series=series,
            edition=edition,
            kind="dialogue_forum",
            status=spec.status,
            title=_text(
                {
                    "en": f"MUPASS Dialogue Forum {edition}",
                    "de": f"MUPASS-Dialogforum {edition}",
                    "fr": f"Forum de dialogue MUPASS {edition}",
                    "es": f"Foro de Diálogo MUPASS {edition}",
                },
                spec.original,
            ),
            summary=_text(spec.summary, spec.original),
            venue_name=spec.venue,
            venue_city=spec.city,
            venue_country=spec.country,
            timezone=spec.timezone,
            starts_at=at(0, "09:00"),
            ends_at=at(2, "12:00"),
            capacity=spec.capacity,
            # Interest closes a while before registration opens; the announced forum's is ahead.
            interest_deadline=days_from_today(spec.starts_in - 100)
            if spec.status != "announced"
            else days_from_today(90),
            registration_opens_at=days_from_today(-21, "09:00") if open_for_registration else None,
            registration_closes_at=at(-7, "23:59") if spec.status != "announced" else None,
            languages=[{"code": code, "interpretation": True} for code in ("de", "en", "fr", "es")],
            lead_organization=lead,
            contact_email="mupass-forum@example.org",
            is_demo=True,
        )
    ).returning(Forum.id)
    forum_id = int(rows[0]["id"])
    await ForumPartner.insert(ForumPartner(forum=forum_id, organization=partner))
    await _programme(
        forum_id,
        [
            ((first + timedelta(days=day)).isoformat(), start, end, kind, title, None, "", cap)
            for day, start, end, kind, title, cap in LIVING_PROGRAMME
        ],
        zone,
        "en",
    )
    return (
        f"forum {spec.slug(today)} ({spec.city}, {first.isoformat()}, {spec.status}) "
        "with its programme"
    )


async def living_forum_ids() -> dict[str, int]:
    """The ids of the forums dated from today, by ``LivingForum.key`` (those that exist)."""
    found: dict[str, int] = {}
    for spec in LIVING_FORUMS:
        today = datetime.now(ZoneInfo(spec.timezone)).date()
        row = await Forum.select(Forum.id).where(Forum.slug == spec.slug(today)).first()
        if row is not None:
            found[spec.key] = int(row["id"])
    return found
