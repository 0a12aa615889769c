"""Demonstration board: a category for each break-out workshop of the demonstration forums,
one for the series between editions, and a few threads in several languages, some of whose
posts are translated.

Posts are content written by people, so they live here and not in the catalogs. They go
through ``BoardService`` like any post (rendering, positions, events); the demonstration
authors have no verified address and no password, so nobody is mailed and nobody signs in
as them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts.principal import Principal, SignedIn
from mupass_forum.accounts.tables import User
from mupass_forum.board import schemas
from mupass_forum.board.services import BoardService
from mupass_forum.board.sql import query
from mupass_forum.board.tables import Category
from mupass_forum.clock import now
from mupass_forum.settings import Settings


@dataclass(frozen=True)
class Author:
    key: str
    display_name: str
    locale: str
    timezone: str
    translates_into: frozenset[str] = frozenset()


AUTHORS = (
    Author("awa", "Awa Ouédraogo (Ouagadougou)", "fr", "Africa/Ouagadougou"),
    Author("jonas", "Jonas Weber (Bonn)", "de", "Europe/Berlin"),
    Author("maria", "María Fernández (Bogotá)", "es", "America/Bogota"),
    Author("kwame", "Kwame Mensah (Accra)", "en", "Africa/Accra"),
    Author("claire", "Claire Martin", "fr", "Europe/Paris", frozenset({"fr", "en", "de"})),
)

GENERAL = {
    "en": "Between forums: open exchange",
    "de": "Zwischen den Foren: offener Austausch",
    "fr": "Entre les forums : échanges ouverts",
    "es": "Entre foros: intercambio abierto",
}
GENERAL_DESCRIPTION = {
    "en": "Questions, experiences and documents from municipal procurement, all year round.",
    "de": "Fragen, Erfahrungen und Dokumente aus der kommunalen Beschaffung, das ganze Jahr.",
    "fr": "Questions, expériences et documents des achats communaux, toute l’année.",
    "es": "Preguntas, experiencias y documentos de las compras municipales, todo el año.",
}

#: (category: "general" or a workshop's English title prefix, author, language, title,
#: [(author, language, body, {locale: (translator, text)})])
Reply = tuple[str, str, str, dict[str, tuple[str, str]]]
THREADS: list[tuple[str, str, str, str, list[Reply]]] = [
    (
        "Strategic procurement",
        "awa",
        "fr",
        "Faire adopter une stratégie d’achats durables par le conseil municipal",
        [
            (
                "awa",
                "fr",
                "À Ouagadougou, nous préparons une délibération pour que **10 %** des marchés de "
                "fournitures intègrent des critères environnementaux. Comment avez-vous "
                "convaincu vos élus ?",
                {
                    "en": (
                        "claire",
                        "In Ouagadougou we are preparing a council decision so that **10%** of "
                        "supply contracts include environmental criteria. How did you convince "
                        "your councillors?",
                    ),
                    "de": (
                        "claire",
                        "In Ouagadougou bereiten wir einen Ratsbeschluss vor, damit **10 %** der "
                        "Lieferaufträge Umweltkriterien enthalten. Wie haben Sie Ihre "
                        "Ratsmitglieder überzeugt?",
                    ),
                },
            ),
            (
                "jonas",
                "de",
                "Bei uns hat eine Kostenrechnung über die gesamte Nutzungsdauer geholfen: "
                "LED-Straßenbeleuchtung war nach sechs Jahren günstiger. Die Vorlage teile "
                "ich gern.",
                {
                    "fr": (
                        "claire",
                        "Chez nous, un calcul du coût sur toute la durée d’utilisation a aidé : "
                        "l’éclairage public LED était moins cher au bout de six ans. Je "
                        "partage volontiers le modèle.",
                    )
                },
            ),
            (
                "maria",
                "es",
                "En Bogotá empezamos con un piloto en cafeterías escolares y presentamos los "
                "resultados al concejo. Un piloto pequeño convence más que un plan grande.",
                {},
            ),
        ],
    ),
    (
        "Measuring impact",
        "kwame",
        "en",
        "Which indicators do you report to your council?",
        [
            (
                "kwame",
                "en",
                "Accra reports the share of tenders with sustainability criteria. It is easy "
                "to count but says little about impact. What do others measure?",
                {
                    "fr": (
                        "claire",
                        "Accra publie la part des appels d’offres comportant des critères de "
                        "durabilité. C’est facile à compter mais en dit peu sur l’impact. Que "
                        "mesurent les autres ?",
                    )
                },
            ),
            (
                "awa",
                "fr",
                "Nous suivons aussi les tonnes de CO₂ évitées, estimées à partir des "
                "fiches techniques des fournisseurs.",
                {},
            ),
        ],
    ),
    (
        "general",
        "maria",
        "es",
        "Criterios sociales en licitaciones de uniformes",
        [
            (
                "maria",
                "es",
                "¿Alguien tiene experiencia con criterios de condiciones laborales dignas en "
                "la compra de uniformes? Buscamos ejemplos de cláusulas verificables.",
                {
                    "en": (
                        "maria",
                        "Does anyone have experience with decent-work criteria when buying "
                        "uniforms? We are looking for examples of clauses that can be verified.",
                    )
                },
            ),
            (
                "jonas",
                "de",
                "Wir verlangen eine Mitgliedschaft in einer Multi-Stakeholder-Initiative oder "
                "gleichwertige Nachweise und prüfen sie stichprobenartig.",
                {},
            ),
        ],
    ),
]


async def _author(author: Author) -> Principal:
    email = f"{author.key}@demo.invalid"
    rows = await query("SELECT id FROM account_user WHERE email = {}", email)
    if rows:
        user_id = int(rows[0]["id"])
    else:
        created = await User.insert(
            User(
                email=email,
                # Not a hash of anything: no password signs in as a demonstration author.
                password_hash="!",  # noqa: S106
                display_name=author.display_name,
                locale=author.locale,
                timezone=author.timezone,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(User.id)
        user_id = int(created[0]["id"])
    # Demonstration authors write without the posting limits of new accounts.
    return SignedIn(
        user_id=user_id,
        display_name=author.display_name,
        locale=author.locale,
        is_platform_admin=True,
        translator_locales=author.translates_into,
    )


def _encode(texts: dict[str, str], original: str) -> str:
    return msgspec.json.encode({"original": original, "texts": texts}).decode()


async def _categories() -> dict[str, int]:
    """The general category and one per workshop of every forum; keys as ``THREADS`` uses."""
    made: dict[str, int] = {}
    series = await query("SELECT id FROM forum_series WHERE slug = 'mupass-dialogue-forum'")
    rows = await Category.insert(
        Category(
            slug="between-forums",
            name=_encode(GENERAL, "en"),
            description=_encode(GENERAL_DESCRIPTION, "en"),
            position=0,
            read_access="public",
            post_access="signed_in",
            series=int(series[0]["id"]) if series else None,
            created_at=now(),
        )
    ).returning(Category.id)
    made["general"] = int(rows[0]["id"])
    workshops = await query(
        "SELECT p.id, p.title, p.forum, f.slug FROM forum_programme_item p "
        "JOIN forum f ON f.id = p.forum WHERE p.kind = 'workshop' ORDER BY p.starts_at, p.id"
    )
    for position, workshop in enumerate(workshops, start=1):
        title: dict[str, Any] = msgspec.json.decode(str(workshop["title"]))
        rows = await Category.insert(
            Category(
                slug=f"{workshop['slug']}-workshop-{position}",
                name=msgspec.json.encode(title).decode(),
                position=position,
                read_access="public",
                post_access="signed_in",
                forum=int(workshop["forum"]),
                created_at=now(),
            )
        ).returning(Category.id)
        english = str(title["texts"].get("en", ""))
        made[english] = int(rows[0]["id"])
    return made


async def load_board(settings: Settings | None = None) -> list[str]:
    """The demonstration board, unless there are board categories already."""
    if await Category.exists():
        return []
    # Posts are checked like any others, in the service's languages: the caller has bound the
    # app's context, and so its catalogs.
    board = BoardService(settings or Settings.from_env())
    added: list[str] = []
    async with db.transaction():
        authors = {author.key: await _author(author) for author in AUTHORS}
        categories = await _categories()
        added.append(f"{len(categories)} board categories")
        for category_key, opener, language, title, posts in THREADS:
            category_id = next(
                (cid for name, cid in categories.items() if name.startswith(category_key)),
                categories["general"],
            )
            _, _, first_body, first_translations = posts[0]
            thread_id = await board.open_thread(
                authors[opener],
                schemas.ThreadCreate(
                    category_id=category_id, title=title, language=language, body=first_body
                ),
            )
            first = await query(
                "SELECT id FROM board_post WHERE thread = {} AND position = 1", thread_id
            )
            written = [(int(first[0]["id"]), first_translations)]
            for author_key, post_language, body, translations in posts[1:]:
                post_id = await board.write_post(
                    authors[author_key],
                    thread_id,
                    schemas.PostCreate(body=body, language=post_language),
                )
                written.append((post_id, translations))
            for post_id, translations in written:
                for locale, (translator, text) in translations.items():
                    await board.translate(
                        authors[translator],
                        post_id,
                        schemas.TranslationCreate(locale=locale, body=text),
                    )
            added.append(f"board thread “{title}” ({len(posts)} posts)")
    return added
