"""`milepost users` through the real command (support/cli.py) on a SQLite file: users created with a password
read from standard input (never an option), listed, changed, and able to sign in."""

from __future__ import annotations

from pathlib import Path

from milepost.bootstrap import connect
from support.cli import MilepostCli


def test_users_are_created_listed_and_changed(tmp_path: Path) -> None:
    cli = MilepostCli(tmp_path)
    done = cli(
        "users",
        "create",
        "Ada@Shop.example",
        "--name",
        "Ada",
        "--role",
        "administrator",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert "created Administrator ada@shop.example" in done.stdout

    cli("users", "create", "grace@shop.example", "--name", "Grace", "--password-stdin", stdin="another good one\n")
    listed = cli.json("users", "list")
    assert [(u["email"], u["role"], u["disabled_at"]) for u in listed] == [
        ("ada@shop.example", "administrator", None),
        ("grace@shop.example", "agent", None),
    ]
    assert "password" not in str(listed) and "scrypt" not in str(listed)

    short = cli("users", "create", "x@shop.example", "--name", "X", "--password-stdin", stdin="short\n", expect=2)
    assert "password" in short.stderr

    assert cli.json("users", "update", "grace@shop.example", "--role", "administrator")["role"] == "administrator"
    assert cli.json("users", "update", "ada@shop.example", "--disable")["disabled_at"] is not None
    refused = cli("users", "update", "grace@shop.example", "--disable", expect=2)
    assert "last Administrator" in refused.stderr

    with connect(f"sqlite:///{tmp_path / 'milepost.db'}") as mp:
        _, session = mp.sessions.sign_in("grace@shop.example", "another good one", "127.0.0.1")
        assert session.user.is_administrator
