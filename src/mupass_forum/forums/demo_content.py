"""What the demonstration forums say: their organizations, series, programmes and dates.

These texts are content, written by organizers, so they live here and not in the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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
