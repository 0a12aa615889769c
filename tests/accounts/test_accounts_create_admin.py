"""`mupass-forum create-admin EMAIL`: promote an account or create an admin."""

from __future__ import annotations

import uuid

from click.testing import CliRunner

from mupass_forum.cli import main


def run(migrated, *args, input=None):
    env = {
        "MUPASS_DATABASE_URL": migrated.resolved_database_url,
        "MUPASS_DATA_DIR": str(migrated.data_dir),
        "MUPASS_PASSWORD_HASH_MEMORY_KIB": "1024",
        "MUPASS_PASSWORD_HASH_TIME_COST": "1",
    }
    return CliRunner().invoke(main, ["create-admin", *args], input=input, env=env)


def test_an_existing_account_becomes_platform_admin(client, migrated, make_account):
    account = make_account()
    assert client.get("/api/v1/translator-roles", headers=account.headers).status_code == 403

    result = run(migrated, account.email.upper())

    assert result.exit_code == 0, result.output
    assert "is now a platform admin" in result.output
    assert client.get("/api/v1/translator-roles", headers=account.headers).status_code == 200


def test_a_new_admin_is_created_after_asking_for_a_password(client, migrated):
    email = f"admin-{uuid.uuid4().hex[:10]}@example.org"

    result = run(migrated, email, input="Ada Admin\nlong admin passphrase\nlong admin passphrase\n")

    assert result.exit_code == 0, result.output
    login = client.post(
        "/api/v1/auth/login", json={"email": email, "password": "long admin passphrase"}
    )
    assert login.status_code == 200
    account = login.json()["account"]
    assert account["is_platform_admin"] is True
    assert account["display_name"] == "Ada Admin"


def test_a_weak_password_creates_nothing(client, migrated):
    email = f"admin-{uuid.uuid4().hex[:10]}@example.org"

    result = run(migrated, email, "--display-name", "Weak", input="password123\npassword123\n")

    assert result.exit_code == 1
    assert "most common" in result.output
    assert run(migrated, email, input="x\n").exit_code == 1
