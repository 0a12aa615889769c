"""Demonstration forums: the MUPASS Dialogue Forum 2019 in Bonn and the first stakeholder
network meeting of the inter-ministerial committee for sustainable public procurement (Berlin,
2024), with their organizations and programmes in German, English, French and Spanish; and
three editions of the MUPASS Dialogue Forum dated from the day the demonstration is loaded, so
that it always has something to do: last year's, held in Accra; the next one, in Bonn in six
weeks, open for registration; and the one after, in Bogotá, taking expressions of interest.

Every demonstration forum is marked ``is_demo``, so retention leaves it alone.

These texts are content, written by organizers, so they live here and not in the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mupass_forum import db
from mupass_forum.accounts.tables import Organization
from mupass_forum.forums.tables import Forum, ForumPartner, ForumSeries, ProgrammeItem

T = dict[str, str]

IDOS = {
    "name": "German Institute of Development and Sustainability (IDOS)",
    # Known as the German Development Institute (DIE) until 2022.
    "former_name": "German Development Institute (DIE)",
    "kind": "research_institute",
    "country": "DE",
    "website": "https://www.idos-research.de",
}
SKEW = {
    "name": "Service Agency Communities in One World (SKEW)",
    "kind": "development_agency",
    "country": "DE",
    "website": "https://skew.engagement-global.de",
}

SERIES: list[tuple[str, T]] = [
    (
        "mupass-dialogue-forum",
        {
            "en": "MUPASS Dialogue Forum",
            "de": "MUPASS-Dialogforum",
            "fr": "Forum de dialogue MUPASS",
            "es": "Foro de Diálogo MUPASS",
        },
    ),
    (
        "spp-stakeholder-network",
        {
            "de": "Stakeholder-Netzwerk des Interministeriellen Ausschusses für nachhaltige "
            "öffentliche Beschaffung",
            "en": "Stakeholder network of the inter-ministerial committee for sustainable "
            "public procurement",
            "fr": "Réseau des parties prenantes du comité interministériel pour les achats "
            "publics durables",
            "es": "Red de actores del comité interministerial de compras públicas sostenibles",
        },
    ),
]

#: (day, start, end, kind, title, description or None, room, capacity)
Item = tuple[str, str, str, str, T, T | None, str, int | None]

MUPASS_2019_PROGRAMME: list[Item] = [
    (
        "2019-10-28",
        "08:30",
        "09:30",
        "warm_up",
        {
            "en": "Registration and welcome coffee",
            "de": "Anmeldung und Begrüßungskaffee",
            "fr": "Accueil des participants et café",
            "es": "Registro y café de bienvenida",
        },
        None,
        "Foyer",
        None,
    ),
    (
        "2019-10-28",
        "09:30",
        "10:30",
        "plenary",
        {
            "en": "Opening: why sustainable public procurement matters for municipalities",
            "de": "Eröffnung: Warum nachhaltige öffentliche Beschaffung für Kommunen zählt",
            "fr": "Ouverture : pourquoi les achats publics durables comptent pour les communes",
            "es": "Apertura: por qué las compras públicas sostenibles importan a los municipios",
        },
        {
            "en": "Welcome by IDOS and SKEW, and the questions of the three days.",
            "de": "Begrüßung durch IDOS und SKEW und die Fragen der drei Tage.",
            "fr": "Mot de bienvenue de l’IDOS et de la SKEW, et les questions des trois jours.",
            "es": "Bienvenida del IDOS y de SKEW, y las preguntas de los tres días.",
        },
        "Plenarsaal",
        None,
    ),
    (
        "2019-10-28",
        "10:30",
        "12:00",
        "panel",
        {
            "en": "Sustainable procurement in practice: Europe, Sub-Saharan Africa, Latin America",
            "de": "Nachhaltige Beschaffung in der Praxis: Europa, Subsahara-Afrika, Lateinamerika",
            "fr": "Les achats durables en pratique : Europe, Afrique subsaharienne, "
            "Amérique latine",
            "es": "Compras sostenibles en la práctica: Europa, África subsahariana, América Latina",
        },
        {
            "en": "Procurement officers from Bonn, Accra and Quito on what worked and what "
            "did not.",
            "de": "Beschaffungsverantwortliche aus Bonn, Accra und Quito berichten, was gelang "
            "und was nicht.",
            "fr": "Des acheteurs publics de Bonn, Accra et Quito racontent ce qui a marché et ce "
            "qui n’a pas marché.",
            "es": "Responsables de compras de Bonn, Accra y Quito cuentan qué funcionó y qué no.",
        },
        "Plenarsaal",
        None,
    ),
    (
        "2019-10-28",
        "12:00",
        "13:30",
        "break",
        {
            "en": "Lunch",
            "de": "Mittagessen",
            "fr": "Déjeuner",
            "es": "Almuerzo",
        },
        None,
        "Restaurant",
        None,
    ),
    (
        "2019-10-28",
        "13:30",
        "15:30",
        "breakout_session",
        {
            "en": "Break-out workshops: fair trade and social criteria in tenders",
            "de": "Arbeitsgruppen: Fairer Handel und soziale Kriterien in Ausschreibungen",
            "fr": "Ateliers en sous-groupes : commerce équitable et critères sociaux dans les "
            "appels d’offres",
            "es": "Talleres en grupos: comercio justo y criterios sociales en las licitaciones",
        },
        None,
        "Räume 1–4",
        60,
    ),
    (
        "2019-10-28",
        "16:00",
        "17:30",
        "networking",
        {
            "en": "Market of opportunities",
            "de": "Markt der Möglichkeiten",
            "fr": "Marché des opportunités",
            "es": "Mercado de oportunidades",
        },
        None,
        "Foyer",
        None,
    ),
    (
        "2019-10-29",
        "09:30",
        "11:00",
        "workshop",
        {
            "en": "Strategic procurement: from council decision to tender",
            "de": "Strategische Beschaffung: vom Ratsbeschluss zur Ausschreibung",
            "fr": "Achats stratégiques : de la délibération du conseil à l’appel d’offres",
            "es": "Compras estratégicas: de la decisión del concejo a la licitación",
        },
        None,
        "Raum 1",
        25,
    ),
    (
        "2019-10-29",
        "11:30",
        "13:00",
        "workshop",
        {
            "en": "Measuring impact: monitoring sustainable procurement",
            "de": "Wirkung messen: Monitoring nachhaltiger Beschaffung",
            "fr": "Mesurer l’impact : le suivi des achats durables",
            "es": "Medir el impacto: seguimiento de las compras sostenibles",
        },
        None,
        "Raum 2",
        25,
    ),
    (
        "2019-10-29",
        "14:30",
        "16:00",
        "panel",
        {
            "en": "Municipal partnerships as a lever for sustainable procurement",
            "de": "Kommunale Partnerschaften als Hebel für nachhaltige Beschaffung",
            "fr": "Les partenariats entre communes, levier des achats durables",
            "es": "Las alianzas municipales como palanca de las compras sostenibles",
        },
        None,
        "Plenarsaal",
        None,
    ),
    (
        "2019-10-30",
        "09:30",
        "11:00",
        "breakout_session",
        {
            "en": "Regional working groups: next steps at home",
            "de": "Regionale Arbeitsgruppen: nächste Schritte vor Ort",
            "fr": "Groupes de travail régionaux : les prochaines étapes chez soi",
            "es": "Grupos de trabajo regionales: próximos pasos en casa",
        },
        None,
        "Räume 1–3",
        None,
    ),
    (
        "2019-10-30",
        "11:30",
        "12:30",
        "plenary",
        {
            "en": "Results and farewell: the MUPASS network continues online",
            "de": "Ergebnisse und Abschied: Das MUPASS-Netzwerk geht online weiter",
            "fr": "Résultats et clôture : le réseau MUPASS continue en ligne",
            "es": "Resultados y despedida: la red MUPASS continúa en línea",
        },
        None,
        "Plenarsaal",
        None,
    ),
]

NETWORK_2024_PROGRAMME: list[Item] = [
    (
        "2024-09-19",
        "09:30",
        "10:00",
        "warm_up",
        {
            "de": "Ankommen und Anmeldung",
            "en": "Arrival and registration",
            "fr": "Arrivée et inscription",
            "es": "Llegada y registro",
        },
        None,
        "Foyer",
        None,
    ),
    (
        "2024-09-19",
        "10:00",
        "10:45",
        "plenary",
        {
            "de": "Begrüßung: das Arbeitsprogramm des Interministeriellen Ausschusses",
            "en": "Welcome: the work programme of the inter-ministerial committee",
            "fr": "Bienvenue : le programme de travail du comité interministériel",
            "es": "Bienvenida: el programa de trabajo del comité interministerial",
        },
        None,
        "Kirchsaal",
        None,
    ),
    (
        "2024-09-19",
        "10:45",
        "12:00",
        "panel",
        {
            "de": "Was Wirtschaft, Kommunen und Zivilgesellschaft von öffentlichen "
            "Auftraggebern brauchen",
            "en": "What business, municipalities and civil society need from public buyers",
            "fr": "Ce dont les entreprises, les communes et la société civile ont besoin des "
            "acheteurs publics",
            "es": "Lo que empresas, municipios y sociedad civil necesitan de los compradores "
            "públicos",
        },
        None,
        "Kirchsaal",
        None,
    ),
    (
        "2024-09-19",
        "12:00",
        "13:00",
        "break",
        {
            "de": "Mittagspause",
            "en": "Lunch break",
            "fr": "Pause déjeuner",
            "es": "Almuerzo",
        },
        None,
        "Foyer",
        None,
    ),
    (
        "2024-09-19",
        "13:00",
        "14:30",
        "breakout_session",
        {
            "de": "Arbeitsgruppen: klimafreundliche Beschaffung, soziale Kriterien, "
            "Kreislaufwirtschaft",
            "en": "Break-out sessions: climate-friendly procurement, social criteria, circular "
            "economy",
            "fr": "Sessions en sous-groupes : achats favorables au climat, critères sociaux, "
            "économie circulaire",
            "es": "Sesiones en grupos: compras respetuosas con el clima, criterios sociales, "
            "economía circular",
        },
        None,
        "Seminarräume",
        200,
    ),
    (
        "2024-09-19",
        "14:30",
        "15:00",
        "break",
        {
            "de": "Kaffeepause",
            "en": "Coffee break",
            "fr": "Pause café",
            "es": "Pausa para el café",
        },
        None,
        "Foyer",
        None,
    ),
    (
        "2024-09-19",
        "15:00",
        "16:00",
        "plenary",
        {
            "de": "Berichte aus den Arbeitsgruppen",
            "en": "Reports from the break-out sessions",
            "fr": "Restitution des sous-groupes",
            "es": "Informes de los grupos",
        },
        None,
        "Kirchsaal",
        None,
    ),
    (
        "2024-09-19",
        "16:00",
        "16:30",
        "networking",
        {
            "de": "Ausblick und Austausch",
            "en": "Outlook and exchange",
            "fr": "Perspectives et échanges",
            "es": "Perspectivas e intercambio",
        },
        None,
        "Foyer",
        None,
    ),
]


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


# Forums dated from today -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LivingForum:
    """A MUPASS Dialogue Forum placed relative to the day the demonstration is loaded."""

    key: str
    status: str
    #: Days from today to its first day (negative: in the past).
    starts_in: int
    city: str
    country: str
    timezone: str
    venue: str
    original: str
    summary: T
    capacity: int

    def first_day(self, today: date) -> date:
        return today + timedelta(days=self.starts_in)

    def slug(self, today: date) -> str:
        return f"mupass-dialogue-forum-{self.first_day(today).year}"


#: Last year's (held), the next (registration open, a small hall: people wait for seats) and
#: the one after (announced: interest is collected). More than a year apart, so their years,
#: and with them their slugs, always differ.
LIVING_FORUMS = (
    LivingForum(
        "held",
        "held",
        -380,
        "Accra",
        "GH",
        "Africa/Accra",
        "Accra International Conference Centre",
        "en",
        {
            "en": "Municipal practitioners from three continents on sustainable catering, "
            "clean transport and fair public tenders.",
            "de": "Kommunale Fachleute von drei Kontinenten über nachhaltige Verpflegung, "
            "saubere Mobilität und faire öffentliche Ausschreibungen.",
            "fr": "Des praticiens communaux de trois continents sur la restauration durable, "
            "les transports propres et les appels d’offres équitables.",
            "es": "Profesionales municipales de tres continentes sobre alimentación sostenible, "
            "transporte limpio y licitaciones públicas justas.",
        },
        80,
    ),
    LivingForum(
        "open",
        "registration_open",
        42,
        "Bonn",
        "DE",
        "Europe/Berlin",
        "Gustav-Stresemann-Institut",
        "en",
        {
            "en": "Three days on strategic procurement: from the council's decision to the "
            "tender, with break-out workshops in four languages.",
            "de": "Drei Tage zu strategischer Beschaffung: vom Ratsbeschluss zur Ausschreibung, "
            "mit Arbeitsgruppen in vier Sprachen.",
            "fr": "Trois jours sur les achats stratégiques : de la décision du conseil à l’appel "
            "d’offres, avec des ateliers en quatre langues.",
            "es": "Tres días sobre compras estratégicas: de la decisión del concejo a la "
            "licitación, con talleres en cuatro idiomas.",
        },
        12,
    ),
    LivingForum(
        "upcoming",
        "announced",
        420,
        "Bogotá",
        "CO",
        "America/Bogota",
        "Centro de Convenciones Ágora Bogotá",
        "es",
        {
            "es": "El próximo foro se reúne en Bogotá: compras públicas para ciudades "
            "resilientes al clima. Exprese su interés y le avisaremos.",
            "en": "The next forum meets in Bogotá: public procurement for climate-resilient "
            "cities. Say you are interested and we will let you know.",
            "de": "Das nächste Forum trifft sich in Bogotá: öffentliche Beschaffung für "
            "klimaresiliente Städte. Bekunden Sie Ihr Interesse, wir melden uns.",
            "fr": "Le prochain forum se réunit à Bogotá : les achats publics pour des villes "
            "résilientes au climat. Manifestez votre intérêt, nous vous tiendrons au courant.",
        },
        120,
    ),
)

LIVING_PROGRAMME: list[tuple[int, str, str, str, T, int | None]] = [
    (
        0,
        "09:00",
        "10:30",
        "plenary",
        {
            "en": "Opening and round of introductions",
            "de": "Eröffnung und Vorstellungsrunde",
            "fr": "Ouverture et tour de table",
            "es": "Apertura y ronda de presentaciones",
        },
        None,
    ),
    (
        0,
        "11:00",
        "12:30",
        "workshop",
        {
            "en": "Workshop: sustainable catering in public canteens",
            "de": "Workshop: nachhaltige Verpflegung in öffentlichen Kantinen",
            "fr": "Atelier : une restauration durable dans les cantines publiques",
            "es": "Taller: alimentación sostenible en comedores públicos",
        },
        20,
    ),
    (
        1,
        "09:30",
        "12:00",
        "panel",
        {
            "en": "Panel: procurement offices of Accra, Bonn and Bogotá at work",
            "de": "Podium: die Vergabestellen von Accra, Bonn und Bogotá bei der Arbeit",
            "fr": "Table ronde : les services des achats d’Accra, de Bonn et de Bogotá",
            "es": "Panel: las oficinas de compras de Accra, Bonn y Bogotá en acción",
        },
        None,
    ),
    (
        2,
        "09:00",
        "12:00",
        "plenary",
        {
            "en": "Results and farewell",
            "de": "Ergebnisse und Abschied",
            "fr": "Résultats et clôture",
            "es": "Resultados y despedida",
        },
        None,
    ),
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
