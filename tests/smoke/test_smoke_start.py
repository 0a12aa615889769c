"""Starting as operations do: several servers at the same moment."""

from __future__ import annotations

import pytest

from tests.conftest import on_postgres

pytestmark = pytest.mark.smoke


@pytest.mark.skipif(on_postgres(), reason="on PostgreSQL `migrate` runs before serving")
def test_two_servers_started_together_on_a_new_sqlite_file_both_come_up(start_server):
    first = start_server(ready=False)
    second = start_server(ready=False)

    first.wait_ready()
    second.wait_ready()

    assert first.terminate() in (0, -15)
    assert second.terminate() in (0, -15)
    for server in (first, second):
        assert "Traceback" not in server.log, server.log
    assert sum("Applied " in server.log for server in (first, second)) == 1
