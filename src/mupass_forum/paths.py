"""Where the project's catalogs and migrations are, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def project_dir(name: str) -> Path:
    """``locales`` or ``migrations``: inside the package when built, else at the checkout's top."""
    bundled = _PACKAGE / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parents[1] / name


def migrations_dir(app_name: str) -> Path:
    return project_dir("migrations") / app_name


def checkout_dir() -> Path | None:
    """The source checkout (with ``babel.cfg`` and the code), or ``None`` in an installed wheel."""
    top = _PACKAGE.parents[1]
    return top if (top / "babel.cfg").is_file() else None


def checkout_around(start: Path) -> Path | None:
    """The project checkout ``start`` is in: the nearest directory, ``start`` or above, with a
    ``pyproject.toml`` and a ``locales`` folder; ``None`` outside any checkout."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "pyproject.toml").is_file() and (folder / "locales").is_dir():
            return folder
    return None
