"""`mupass-forum i18n`: the catalog tools and the release gate, on copies of the project.

Each defect is planted, one at a time, into a copy of the catalogs (and of the code, for the
comparison with the code) that passes the check; the check must then fail and name the file,
the line and the kind of the defect.
"""

from __future__ import annotations

import gettext
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner, Result

from mupass_forum.cli import main
from mupass_forum.paths import checkout_dir

PROJECT = checkout_dir()
LOCALES = ("de", "en", "fr", "es")

#: Texts added to the copied code so that %-formats, plural forms and HTML are covered.
SAMPLE_MODULE = """\
from mupass_forum.i18n import _, ngettext


def sample_texts(name: str, count: int) -> list[str]:
    return [
        # i18n: The name of the person who shared the post.
        _("Shared by %(name)s"),
        ngettext("{n} reply", "{n} replies", count),
        _("Read the <a>guidelines</a> first."),
    ]
"""
SAMPLE_TRANSLATIONS: dict[str, dict[str, str | tuple[str, str]]] = {
    "Shared by %(name)s": {
        "de": "Geteilt von %(name)s",
        "fr": "Partagé par %(name)s",
        "es": "Compartido por %(name)s",
    },
    "{n} reply": {
        "de": ("{n} Antwort", "{n} Antworten"),
        "fr": ("{n} réponse", "{n} réponses"),
        "es": ("{n} respuesta", "{n} respuestas"),
    },
    "Read the <a>guidelines</a> first.": {
        "de": "Lesen Sie zuerst die <a>Richtlinien</a>.",
        "fr": "Lisez d’abord les <a>règles</a>.",
        "es": "Lea primero las <a>normas</a>.",
    },
}


def i18n(root: Path, *args: str, locales: str = ",".join(LOCALES)) -> Result:
    return CliRunner().invoke(
        main,
        ["i18n", "--source-dir", str(root), *args],
        env={"MUPASS_LOCALES_DIR": str(root / "locales"), "MUPASS_LOCALES": locales},
    )


def catalog_path(root: Path, locale: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / "messages.po"


def fill(path: Path, locale: str, translate: Callable[[str, str], str | tuple[str, ...]]) -> None:
    """Give every empty entry of a catalog the translation ``translate(locale, msgid)``."""
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(forms):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            message.string = translate(locale, msgid)
    with path.open("wb") as po_file:
        write_po(po_file, catalog, width=76)


def sample_translation(locale: str, msgid: str) -> str | tuple[str, ...]:
    if locale == "en":
        return ("{n} reply", "{n} replies") if msgid == "{n} reply" else msgid
    return SAMPLE_TRANSLATIONS[msgid][locale]


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def replace_in(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} is not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def passing_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the code and the catalogs, with sample texts added and fully translated."""
    assert PROJECT is not None
    root = tmp_path_factory.mktemp("project")
    shutil.copy(PROJECT / "babel.cfg", root / "babel.cfg")
    shutil.copytree(PROJECT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    (root / "src" / "mupass_forum" / "sample_texts.py").write_text(SAMPLE_MODULE)

    updated = i18n(root, "update")
    assert updated.exit_code == 0, updated.output
    for locale in LOCALES:
        fill(catalog_path(root, locale), locale, sample_translation)

    checked = i18n(root, "check")
    assert checked.exit_code == 0, checked.output
    return root


@pytest.fixture
def project(passing_project: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(passing_project, root)
    return root


def test_the_projects_own_catalogs_pass_as_a_real_command():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUPASS_")}
    result = subprocess.run(
        [sys.executable, "-m", "mupass_forum", "i18n", "check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 0 errors" in result.stdout
    assert "4 catalogs" in result.stdout
    # Not a terminal: no colour codes in what CI logs.
    assert "\x1b[" not in result.stdout


def test_update_carries_translator_comments_and_plurals_into_the_catalogs(passing_project: Path):
    template = (passing_project / "locales" / "messages.pot").read_text(encoding="utf-8")
    german = catalog_path(passing_project, "de").read_text(encoding="utf-8")

    assert "#. i18n: The name of the person who shared the post." in template
    assert 'msgid_plural "{n} replies"' in template
    assert "#, python-format" in template
    assert "#. i18n: The name of the person who shared the post." in german
    assert 'msgstr[1] "{n} Antworten"' in german


def test_extract_leaves_an_unchanged_template_alone(project: Path):
    template = project / "locales" / "messages.pot"
    before = template.read_bytes()

    result = i18n(project, "extract")

    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert template.read_bytes() == before


Plant = Callable[[Path], tuple[Path, int]]


def edit_catalog(locale: str, old: str, new: str, entry: str) -> Plant:
    """A defect made by replacing ``old`` in a catalog; reported at the line of ``entry``."""

    def plant(root: Path) -> tuple[Path, int]:
        path = catalog_path(root, locale)
        replace_in(path, old, new)
        return path, line_of(path, entry)

    return plant


untranslated = edit_catalog("de", 'msgstr "Nicht gefunden"', 'msgstr ""', 'msgid "Not found"')
fuzzy = edit_catalog(
    "fr", '\nmsgid "Not found"', '\n#, fuzzy\nmsgid "Not found"', 'msgid "Not found"'
)
placeholder = edit_catalog(
    "de", "Unter {path} gibt", "Unter {pfad} gibt", 'msgid "There is nothing at {path}."'
)
percent_format = edit_catalog(
    "es", "Compartido por %(name)s", "Compartido por %(nombre)s", 'msgid "Shared by %(name)s"'
)
too_few_plural_forms = edit_catalog("de", 'msgstr[1] "{n} Antworten"\n', "", 'msgid "{n} reply"')
too_many_plural_forms = edit_catalog(
    "fr",
    'msgstr[1] "{n} réponses"\n',
    'msgstr[1] "{n} réponses"\nmsgstr[2] "{n} x"\n',
    'msgid "{n} reply"',
)
wrong_plural_header = edit_catalog("es", "nplurals=2;", "nplurals=3;", '"Plural-Forms:')
html_tags = edit_catalog(
    "de", "<a>Richtlinien</a>", "<b>Richtlinien</b>", 'msgid "Read the <a>guidelines</a> first."'
)
syntax_error = edit_catalog("es", '\nmsgid "Not found"', '\nmsgidd "Not found"', "msgidd")


def _message_not_in_template(root: Path) -> tuple[Path, int]:
    path = root / "src" / "mupass_forum" / "sample_texts.py"
    replace_in(path, "    ]\n", '        _("A text added after the last update"),\n    ]\n')
    return path, line_of(path, "A text added after the last update")


def _message_not_in_code(root: Path) -> tuple[Path, int]:
    replace_in(
        root / "src" / "mupass_forum" / "sample_texts.py",
        '        _("Read the <a>guidelines</a> first."),\n',
        "",
    )
    path = root / "locales" / "messages.pot"
    return path, line_of(path, 'msgid "Read the <a>guidelines</a> first."')


def _message_missing_from_catalog(root: Path) -> tuple[Path, int]:
    path = catalog_path(root, "fr")
    content = path.read_text(encoding="utf-8")
    start = content.index('msgid "Not found"')
    end = content.index("\n\n", start)
    path.write_text(content[:start] + content[end + 2 :], encoding="utf-8")
    return path, 1


def _stale_message(root: Path) -> tuple[Path, int]:
    path = catalog_path(root, "de")
    with path.open("a", encoding="utf-8") as po_file:
        po_file.write('\nmsgid "A text nobody wrote"\nmsgstr "Ein Text, den niemand schrieb"\n')
    return path, line_of(path, 'msgid "A text nobody wrote"')


DEFECTS = [
    pytest.param(untranslated, "untranslated", "Not found", id="untranslated"),
    pytest.param(fuzzy, "fuzzy", "Not found", id="fuzzy"),
    pytest.param(placeholder, "placeholder", "There is nothing at {path}.", id="placeholder"),
    pytest.param(percent_format, "percent-format", "Shared by %(name)s", id="percent"),
    pytest.param(too_few_plural_forms, "plural-forms", "{n} reply", id="too-few-plurals"),
    pytest.param(too_many_plural_forms, "plural-forms", "{n} reply", id="too-many-plurals"),
    pytest.param(wrong_plural_header, "plural-forms", "", id="plural-header"),
    pytest.param(html_tags, "html-tags", "Read the <a>guidelines</a> first.", id="html"),
    pytest.param(
        _message_not_in_template,
        "not-in-template",
        "A text added after the last update",
        id="not-in-template",
    ),
    pytest.param(
        _message_not_in_code, "not-in-code", "Read the <a>guidelines</a> first.", id="not-in-code"
    ),
    pytest.param(_message_missing_from_catalog, "missing", "Not found", id="missing"),
    pytest.param(_stale_message, "stale", "A text nobody wrote", id="stale"),
    pytest.param(syntax_error, "syntax", "", id="syntax"),
]


@pytest.mark.parametrize(("plant", "code", "msgid"), DEFECTS)
def test_check_names_file_line_and_kind_of_each_planted_defect(
    project: Path, plant: Plant, code: str, msgid: str
):
    path, line = plant(project)

    result = i18n(project, "check")

    assert result.exit_code == 1, result.output
    problem_lines = [text for text in result.output.splitlines() if f"[{code}]" in text]
    assert len(problem_lines) >= 1, result.output
    assert problem_lines[0].startswith(f"{path}:{line}: [{code}] "), result.output
    if msgid:
        assert f'(msgid "{msgid}")' in problem_lines[0]
    if code != "syntax":  # a broken entry also leaves its message missing
        assert "\n1 error, 0 warnings" in result.output, result.output


def test_the_placeholder_problem_says_what_differs(project: Path):
    placeholder(project)

    output = i18n(project, "check").output

    assert "lacks {path}" in output
    assert "has {pfad}" in output


def test_check_as_json_lists_the_problems_for_programs(project: Path):
    path, line = html_tags(project)

    result = i18n(project, "check", "--json")

    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert problems == [
        {
            "path": str(path),
            "line": line,
            "code": "html-tags",
            "message": "the translation lacks </a>, <a> and has </b>, <b>, which the English "
            "does not",
            "msgid": "Read the <a>guidelines</a> first.",
            "severity": "error",
        }
    ]


def test_obsolete_entries_are_a_warning_that_does_not_fail(project: Path):
    path = catalog_path(project, "de")
    with path.open("a", encoding="utf-8") as po_file:
        po_file.write('\n#~ msgid "An old text"\n#~ msgstr "Ein alter Text"\n')

    result = i18n(project, "check")

    assert result.exit_code == 0, result.output
    assert f"{path}:{line_of(path, 'An old text')}: [obsolete]" in result.output
    assert "OK: 0 errors, 1 warning" in result.output

    dropped = i18n(project, "update", "--drop-obsolete")
    assert dropped.exit_code == 0, dropped.output
    assert "An old text" not in path.read_text(encoding="utf-8")


def test_a_configured_locale_without_catalog_fails_the_check(project: Path):
    result = i18n(project, "check", locales="de,en,fr,es,pt")

    assert result.exit_code == 1
    assert f"{catalog_path(project, 'pt')}:1: [missing-catalog]" in result.output
    assert "mupass-forum i18n init pt" in result.output


def test_status_counts_translated_fuzzy_and_untranslated(project: Path):
    untranslated(project)
    fuzzy(project)

    table = i18n(project, "status")
    as_json = json.loads(i18n(project, "status", "--json").output)

    assert table.exit_code == 0, table.output
    by_locale = {entry["locale"]: entry for entry in as_json}
    assert list(by_locale) == list(LOCALES)
    total = by_locale["en"]["total"]
    assert by_locale["de"]["untranslated"] == 1
    assert by_locale["de"]["translated"] == total - 1
    assert by_locale["fr"]["fuzzy"] == 1
    assert by_locale["en"]["percent_translated"] == 100
    assert by_locale["de"]["percent_translated"] == 100 * (total - 1) // total
    german_row = next(row for row in table.output.splitlines() if row.startswith("de "))
    assert "German" in german_row
    assert german_row.split()[2:5] == [str(total - 1), "0", "1"]
    assert f"{100 * (total - 1) // total}%" in german_row


def test_compile_writes_mo_files_gettext_reads(project: Path):
    result = i18n(project, "compile")

    assert result.exit_code == 0, result.output
    with (catalog_path(project, "de").with_suffix(".mo")).open("rb") as mo_file:
        german = gettext.GNUTranslations(mo_file)
    assert german.gettext("Not found") == "Nicht gefunden"
    assert german.ngettext("{n} reply", "{n} replies", 3) == "{n} Antworten"


def test_adding_portuguese_takes_a_catalog_and_one_setting(project: Path, make_client):
    all_five = "de,en,fr,es,pt"

    created = i18n(project, "init", "pt")
    assert created.exit_code == 0, created.output
    assert f"MUPASS_LOCALES={all_five}" in created.output
    portuguese = catalog_path(project, "pt")
    assert "Language: pt" in portuguese.read_text(encoding="utf-8")

    unfinished = i18n(project, "check", locales=all_five)
    assert unfinished.exit_code == 1
    assert f"{portuguese}:" in unfinished.output
    assert "[untranslated] no Portuguese translation yet" in unfinished.output
    status = json.loads(i18n(project, "status", "--json", locales=all_five).output)
    assert status[-1]["locale"] == "pt"
    assert status[-1]["percent_translated"] == 0

    def portuguese_translation(locale: str, msgid: str) -> str | tuple[str, ...]:
        if msgid == "Not found":
            return "Não encontrado"
        if msgid == "{n} reply":
            return ("{n} resposta", "{n} respostas")
        # Every other text keeps its placeholders and tags; its wording is not under test.
        return f"(pt) {msgid}"

    fill(portuguese, "pt", portuguese_translation)
    finished = i18n(project, "check", locales=all_five)
    assert finished.exit_code == 0, finished.output
    assert "5 catalogs" in finished.output

    client = make_client(locales=tuple(all_five.split(",")), locales_dir=str(project / "locales"))
    asked = client.get("/api/v1/nothing", params={"lang": "pt"})
    brazilian = client.get("/api/v1/nothing", headers={"Accept-Language": "pt-BR, en;q=0.5"})
    assert asked.json()["title"] == "Não encontrado"
    assert asked.headers["Content-Language"] == "pt"
    assert brazilian.headers["Content-Language"] == "pt"


def test_update_creates_the_catalog_of_a_newly_configured_locale(project: Path):
    result = i18n(project, "update", locales="de,en,fr,es,pt")

    assert result.exit_code == 0, result.output
    assert f"{catalog_path(project, 'pt')}: created" in result.output
    assert catalog_path(project, "pt").is_file()


def test_init_refuses_an_existing_catalog_and_an_unknown_locale(project: Path):
    existing = i18n(project, "init", "de")
    unknown = i18n(project, "init", "xx-nowhere")

    assert existing.exit_code == 1
    assert "exists already" in existing.output
    assert unknown.exit_code == 1
    assert "no locale Babel knows" in unknown.output
    assert "Traceback" not in existing.output + unknown.output


def test_a_catalog_of_an_unconfigured_locale_is_a_warning(project: Path):
    assert i18n(project, "init", "pt").exit_code == 0

    result = i18n(project, "check")

    assert result.exit_code == 0, result.output
    assert f"{catalog_path(project, 'pt')}:1: [unconfigured]" in result.output


def test_a_long_translator_note_does_not_make_the_template_look_changed(project: Path):
    note = "# i18n: " + " ".join(["a note long enough to be wrapped over several lines"] * 3)
    module = project / "src" / "mupass_forum" / "long_note.py"
    module.write_text(
        f'from mupass_forum.i18n import N_\n\n{note}\nLONG = N_("Text with a long note")\n'
    )
    assert i18n(project, "update").exit_code == 0

    result = i18n(project, "extract")

    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output


# Which catalogs the tools work on -----------------------------------------------------------


def i18n_here(*args: str) -> Result:
    """The tool as a translator runs it: no --locales-dir, no MUPASS_LOCALES_DIR."""
    return CliRunner().invoke(
        main,
        ["i18n", *args],
        env={"MUPASS_LOCALES_DIR": None, "MUPASS_LOCALES": ",".join(LOCALES)},
    )


def test_the_tools_write_into_the_checkout_they_are_run_in(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    (project / "pyproject.toml").write_text("[project]\nname = 'mupass-forum'\n")
    sample = project / "src" / "mupass_forum" / "sample_texts.py"
    sample.write_text(SAMPLE_MODULE.replace("Shared by", "Shared here by"))
    assert PROJECT is not None
    installed_template = (PROJECT / "locales" / "messages.pot").read_bytes()
    monkeypatch.chdir(project / "src" / "mupass_forum")

    extracted = i18n_here("extract")
    compiled = i18n_here("compile")

    assert extracted.exit_code == 0, extracted.output
    assert "Shared here by %(name)s" in (project / "locales" / "messages.pot").read_text()
    assert compiled.exit_code == 0, compiled.output
    assert (project / "locales" / "fr" / "LC_MESSAGES" / "messages.mo").is_file()
    assert (PROJECT / "locales" / "messages.pot").read_bytes() == installed_template
    assert not (PROJECT / "locales" / "fr" / "LC_MESSAGES" / "messages.mo").exists()


def test_outside_a_checkout_the_tools_check_but_do_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)

    updated = i18n_here("update")
    status = i18n_here("status", "--json")

    assert updated.exit_code != 0
    assert "no project checkout found" in updated.output
    assert "--locales-dir" in updated.output
    assert status.exit_code == 0, status.output
    assert {row["locale"] for row in json.loads(status.output)} >= set(LOCALES)


def test_an_explicit_locales_dir_wins_over_the_checkout_around(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project / "locales", elsewhere)
    for path in elsewhere.rglob("*.mo"):
        path.unlink()
    monkeypatch.chdir(project)

    compiled = i18n_here("--locales-dir", str(elsewhere), "--source-dir", str(project), "compile")

    assert compiled.exit_code == 0, compiled.output
    assert (elsewhere / "de" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not (project / "locales" / "de" / "LC_MESSAGES" / "messages.mo").exists()
