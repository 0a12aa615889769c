"""Pages for people, beside the API: templates, static files, forms, sign-in and error pages.

Each domain with pages keeps its handlers in ``<domain>/pages.py`` beside ``controllers.py``:
thin handlers that call the same service functions as the API and return a ``Template`` of
``templates/<domain>/``; ``create_app`` puts them on the ``site`` router (outside ``/api/v1``,
not in the API's description). For example::

    @get("/forums/{slug:str}")
    async def forum_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
        forum = await services.get_forum(principal, slug)
        return Template("forums/forum.html", context={"forum": forum})

- Templates extend ``base.html`` (``lang``, skip link, header with the language switcher, the
  ``main`` landmark, footer) and fill its ``title`` and ``content`` blocks. Texts come from
  the catalogs in the request's language: ``{{ _("Hello {name}", name=person) }}``,
  ``{{ ngettext("{n} seat", "{n} seats", count) }}``, notes as ``{# i18n: ... #}``; never
  markup inside a text. ``request`` is in every template; ``principal_of(request)`` is who is
  looking; ``value | datetime`` shows a time in the reader's zone and names the zone.
- The principal: ``principal: NamedDependency[Principal]``, as in the API; on pages it comes
  from the session cookie (see ``accounts.authentication``).
- Sign-in: a page needing it uses the API's guards (``guards=[requires_signed_in]``) or lets
  the service refuse; a ``NotAuthenticated`` on a page becomes a 303 to
  ``/account/sign-in?next=<path>``, and back after signing in.
- Forms: every unsafe request to a page must carry the CSRF token, so every ``<form
  method="post">`` starts with ``{{ csrf_input | safe }}``; without it the answer is a 403
  page and nothing changes. ``form_data(request, Struct)`` reads a form into the API's input
  struct; a service's ``InvalidInput`` becomes ``FormErrors.of(error)`` for the form again
  (``macros/forms.html`` shows each message next to its field); after success, ``redirect``.
- Errors: domain errors and HTTP errors on page paths render ``error.html``; the API keeps
  its problem+json.
- Styles: ``static/site.css``, linked by ``base.html``; add a file to ``static/`` and link it
  with ``static_url("name.css")``, which names its version, so browsers keep it a year.
"""

from __future__ import annotations

import functools
import hashlib
import html
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from urllib.parse import parse_qsl, urlencode, urlsplit

import msgspec
from babel.core import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.template.config import TemplateConfig

from mupass_forum.accounts.authorization import principal_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    ProblemStruct,
    field_error_from_message,
)
from mupass_forum.i18n import (
    current_locale,
    current_timezone,
    format_date,
    format_datetime_with_zone,
    gettext,
    language_name,
    ngettext,
    npgettext,
    pgettext,
    supported_locales,
)
from mupass_forum.request_scope import NON_PAGE_PREFIXES
from mupass_forum.settings import Settings
from mupass_forum.validation import choosable_time_zones

_PACKAGE = Path(__file__).resolve().parent
TEMPLATES_DIR = _PACKAGE / "templates"
STATIC_DIR = _PACKAGE / "static"
STATIC_PREFIX = "/static/"

SIGN_IN_PATH = "/account/sign-in"
#: Where signing in leads when the sign-in page was not opened on the way to another page.
AFTER_SIGN_IN = "/account"
CSRF_COOKIE = "mupass_csrf"
#: The form field Litestar's CSRF middleware reads (what ``csrf_input`` renders).
CSRF_FIELD = "_csrf_token"

StructT = TypeVar("StructT", bound=msgspec.Struct)
#: What a form is read into: a struct or a dataclass.
FormT = TypeVar("FormT")


# Templates ---------------------------------------------------------------------------------


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 over ``templates/``, escaping everything, translating with the catalogs."""
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(template_environment()))


@functools.cache
def template_environment() -> Environment:
    """The one Jinja2 environment of pages and documents (PDFs render the same templates)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # The project's own functions: the request's locale, named ``{placeholders}``. Jinja
    # escapes what they return like any other value.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        npgettext=npgettext,
        newstyle=False,
    )
    environment.globals.update(
        current_locale=current_locale,
        current_timezone=current_timezone,
        static_url=static_url,
        language_links=language_links,
        language_choices=language_choices,
        language_name=language_name,
        time_zone_choices=choosable_time_zones,
        principal_of=principal_of,
    )
    environment.filters.update(
        datetime=format_datetime_with_zone,
        date=format_date,
    )
    return environment


def principal_of(request: Request[Any, Any, Any]) -> Principal:
    """Who is looking at the page (anonymous on pages the sign-in does not reach)."""
    return principal_in(request.scope)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    locale: str
    #: The language's name in itself ("Deutsch", "Español"), as people look for it.
    name: str
    url: str
    current: bool


@functools.cache
def native_name(locale: str) -> str:
    """A language's name in itself ("Deutsch", "Español")."""
    name = str(Locale.parse(locale).get_display_name(locale))
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """The service's languages as (code, name in itself) pairs, for a form's choice."""
    return [(locale, native_name(locale)) for locale in supported_locales()]


def language_links(request: Request[Any, Any, Any]) -> list[LanguageLink]:
    """The language switcher: this page in each language (path and query kept, ``lang``
    replaced), so a page opened from a mail keeps its token."""
    query = [
        (name, value)
        for name, value in parse_qsl(request.url.query, keep_blank_values=True)
        if name != "lang"
    ]
    active = current_locale()
    return [
        LanguageLink(
            locale,
            native_name(locale),
            f"{request.url.path}?{urlencode([*query, ('lang', locale)])}",
            locale == active,
        )
        for locale in supported_locales()
    ]


# Static files ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaticFile:
    content: bytes
    media_type: str
    #: ``site.3f2a9c0d1e.css``: a new name for every new content, so it may be kept forever.
    versioned_name: str


@functools.cache
def static_files() -> Mapping[str, StaticFile]:
    """Every file of ``static/`` by name, read once per process."""
    found: dict[str, StaticFile] = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if not path.is_file():
            continue
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:10]
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        found[path.name] = StaticFile(content, media_type, f"{path.stem}.{digest}{path.suffix}")
    return found


def static_url(name: str) -> str:
    """The versioned address of ``static/<name>`` (a missing file fails the page loudly)."""
    return f"{STATIC_PREFIX}{static_files()[name].versioned_name}"


@get(f"{STATIC_PREFIX}{{name:str}}", include_in_schema=False, sync_to_thread=False)
def static_file(name: FromPath[str]) -> Response[bytes]:
    """A file of ``static/`` under its versioned name, cacheable for a year."""
    for found in static_files().values():
        if found.versioned_name == name:
            return Response(
                found.content,
                media_type=found.media_type,
                headers={"Cache-Control": "public, max-age=31536000, immutable"},
            )
    raise NotFoundException()


@get("/", include_in_schema=False, sync_to_thread=False)
def start_page() -> Template:
    """The start page."""
    return Template("home.html")


def message_page(
    title: str,
    *paragraphs: str,
    links: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
) -> Template:
    """A page that says one thing (texts already translated), with links onwards."""
    return Template(
        "message.html",
        context={"title": title, "paragraphs": paragraphs, "links": links},
        status_code=status_code,
    )


# Forms and sign-in -------------------------------------------------------------------------


def csrf_config(settings: Settings) -> CSRFConfig:
    """CSRF tokens on every unsafe page request; the API (bearer tokens, signed links), health
    checks and static files are not pages."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_secure=settings.base_url.startswith("https://"),
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=[f"^{prefix}" for prefix in NON_PAGE_PREFIXES],
    )


def local_path(target: str | None, default: str = AFTER_SIGN_IN) -> str:
    """``target`` if it is a path on this site, else ``default``: ``next=`` must never send a
    person to another site (``//evil.example``, ``https://…``, ``/\\evil.example``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 0x20 or char == "\\" for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def sign_in_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """To the sign-in page, and back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"{SIGN_IN_PATH}?{urlencode({'next': here})}")


def redirect(path: str) -> Redirect:
    """A 303 to a page of this site (after a form's POST, the browser GETs the result)."""
    return Redirect(local_path(path, "/"), status_code=HTTP_303_SEE_OTHER)


async def form_data(request: Request[Any, Any, Any], struct: type[StructT]) -> StructT:
    """The fields of ``struct`` from the request's form, checked as the API checks its body;
    a missing field is empty. A ``bool`` field is a checkbox (true when sent) or a hidden
    field saying ``true`` or ``false``, a ``list``
    field takes every value sent, and an empty field with a default takes it (an empty date
    is no date; no box ticked is as if the list were not sent). Raises ``InvalidInput``
    pointing at the fields."""
    form = await request.form()
    values: dict[str, Any] = {}
    for info in msgspec.structs.fields(struct):
        name = info.encode_name
        if _admits(info.type, bool):
            values[name] = form.get(name, "") not in _FALSE
        elif _admits(info.type, list):
            if sent := [value for value in form.getall(name, []) if value]:
                values[name] = sent
        elif (value := form.get(name, "")) != "" or info.required:
            values[name] = value
    return form_struct(values, struct)


def form_struct(values: Mapping[str, Any], struct: type[FormT]) -> FormT:
    """``values`` read from a form, checked as the API checks its body (for forms a page
    reads itself). Raises ``InvalidInput`` pointing at the fields."""
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).rpartition(" - at `$.")
        raise InvalidInput(
            field_error_from_message(message or str(exc), where.rstrip("`"), "body")
        ) from exc


#: What a ``bool`` field of a form says when it is not ticked (or says "no" outright).
_FALSE = frozenset({"", "false", "0", "off"})


def _admits(annotation: Any, kind: type) -> bool:
    """Whether a field's type is ``kind`` (or ``kind | None``, ``Annotated[kind, ...]``)."""
    if get_origin(annotation) is Annotated:
        return _admits(get_args(annotation)[0], kind)
    if annotation is kind or get_origin(annotation) is kind:
        return True
    if isinstance(annotation, UnionType) or get_origin(annotation) is Union:
        return any(_admits(member, kind) for member in get_args(annotation))
    return False


@dataclass(frozen=True, slots=True)
class FormErrors:
    """What was wrong with a form: a sentence for the top, a message per field."""

    summary: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, error: DomainError) -> FormErrors:
        """From a domain error of a service (``InvalidInput`` names fields; others do not)."""
        fields: dict[str, str] = {}
        for field_error in error.errors:
            fields.setdefault(_field_name(field_error), field_error.render()["detail"])
        values = {"request_id": None, **error.params}
        return cls(gettext(error.detail, **values), fields)

    def __bool__(self) -> bool:
        return bool(self.summary or self.fields)


def _field_name(error: FieldError) -> str:
    """The form field an API field error points at (``/new_password`` -> ``new_password``)."""
    if error.pointer:
        return error.pointer.lstrip("/").split("/", 1)[0]
    return error.parameter or ""


NO_ERRORS = FormErrors()


# Error pages -------------------------------------------------------------------------------


def error_page(
    request: Request[Any, Any, Any], problem: ProblemStruct, headers: Mapping[str, str]
) -> Response[Any]:
    """A problem on a page path: a small page in the reader's language, or, for a page that
    needs a sign-in, the way to the sign-in page."""
    if problem.status == 401:
        return sign_in_redirect(request)
    return Template(
        "error.html",
        context={"problem": problem},
        status_code=problem.status,
        headers=dict(headers),
        media_type="text/html; charset=utf-8",
    )


# The hand-built pages of signed links under /api/v1 (consent withdrawal, board unsubscribe).

HTML_MEDIA_TYPE = "text/html; charset=utf-8"
#: Inline styles only, forms posting back here only, no framing.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #1f2937; margin: 2rem auto;
       max-width: 40rem; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.4rem; }
button { font-size: 1rem; padding: .6rem 1.2rem; border-radius: .4rem; border: 0;
         background: #0f5e9c; color: #fff; cursor: pointer; }
.note { color: #6b7280; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d1d5db;
         vertical-align: top; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .no-print { display: none; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Whether the client prefers a page to JSON (a browser following a link does)."""
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"


def page(title: str, body: str, *, style: str = "") -> str:
    """A whole document around ``body`` (already escaped markup) in the reader's language."""
    escape = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(current_locale())}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}{style}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def confirm_form(token: str, button: str) -> str:
    """A form that POSTs the link's token back to the page's own address, in its language."""
    action = "?" + urlencode({"token": token, "lang": current_locale()})
    return (
        f'<form method="post" action="{html.escape(action, quote=True)}">'
        f'<button type="submit">{html.escape(button)}</button></form>'
    )


def html_response(document: str, status_code: int = 200) -> Response[str]:
    return Response(
        document,
        status_code=status_code,
        media_type=HTML_MEDIA_TYPE,
        headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
    )
