"""Tables and migrations say the same: Piccolo's auto migration finds nothing to do for any app.

The differ compares the schema the app's migrations build (their snapshot, no database needed)
with its tables' definitions, as ``make migration APP=<app>`` does. A column added to a table
without its migration fails here, not on a server that never got the column.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.columns import Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from mupass_forum.piccolo_apps import APP_REGISTRY


async def pending_statements(app_config: AppConfig) -> list[str]:
    """What an auto migration of ``app_config`` would write now (renames counted as new)."""
    with contextlib.redirect_stdout(io.StringIO()):  # the differ prints a summary
        alters = await AutoMigrationManager(auto_input="n").get_alter_statements(
            app_config=app_config
        )
    return [statement for alter in alters for statement in alter.statements]


@pytest.mark.parametrize("app_name", sorted(APP_REGISTRY.app_configs))
async def test_the_migrations_build_the_tables_as_defined(app_name: str) -> None:
    assert await pending_statements(APP_REGISTRY.app_configs[app_name]) == []


class DriftProbe(Table, tablename="drift_probe"):
    name = Varchar(length=20)


async def test_a_table_without_its_migration_is_found() -> None:
    mail = APP_REGISTRY.app_configs["mail"]
    drifted = dataclasses.replace(mail, table_classes=[*mail.table_classes, DriftProbe])
    assert any("DriftProbe" in statement for statement in await pending_statements(drifted))


def _dependencies(app_name: str) -> set[str]:
    """The apps whose migrations run before ``app_name``'s, directly or through others."""
    found: set[str] = set()
    for module in APP_REGISTRY.app_configs[app_name].migration_dependencies:
        dependency = module.split(".")[-2]
        found |= {dependency, *_dependencies(dependency)}
    return found


def test_every_foreign_key_points_into_the_app_or_one_migrated_before() -> None:
    owner = {
        table: app_name
        for app_name, config in APP_REGISTRY.app_configs.items()
        for table in config.table_classes
    }
    misordered = [
        f"{table._meta.tablename}.{column._meta.name} -> {owner[target]}"
        for app_name, config in APP_REGISTRY.app_configs.items()
        for table in config.table_classes
        for column in table._meta.foreign_key_columns
        if (target := column._foreign_key_meta.resolved_references) in owner
        and owner[target] not in {app_name, *_dependencies(app_name)}
    ]
    assert misordered == []
