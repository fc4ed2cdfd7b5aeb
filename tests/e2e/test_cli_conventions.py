"""What every `milepost` command shares: `--store` from MILEPOST_STORE or the only store,
usage errors worded like every other error, `--help` grouped by task, shell completion.

Usage errors and help run the real root command in-process (click's test runner, no
database is opened); the store and completion tests run the real command as a subprocess,
on SQLite and on a fresh PostgreSQL schema."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from milepost.entrypoints.cli import cli
from support.cli import CLI, MilepostCli

# -- usage errors -----------------------------------------------------------------------------

USAGE_ERRORS = [
    (
        ["events", "create", "--store", "demo", "--x"],
        "error: no such option: --x (see milepost events create --help)",
    ),
    (
        ["events", "create", "--store", "demo", "--nme", "x"],
        "error: no such option: --nme; did you mean --name? (see milepost events create --help)",
    ),
    (["--bogus"], "error: no such option: --bogus (see milepost --help)"),
    (["customers", "show"], "error: missing argument 'ID' (see milepost customers show --help)"),
    (
        ["keys", "create", "--store", "demo", "--scope", "root"],
        "error: invalid value for '--scope': 'root' is not one of 'ingest', 'read', 'admin' "
        "(see milepost keys create --help)",
    ),
    (
        ["events", "create", "--store", "demo", "--count", "many"],
        "error: invalid value for '--count': 'many' is not a valid integer (see milepost events create --help)",
    ),
    (["evnts", "list"], "error: no such command: evnts; did you mean events or segments? (see milepost --help)"),
    (["events", "lst"], "error: no such command: lst; did you mean list? (see milepost events --help)"),
    (["frobnicate"], "error: no such command: frobnicate (see milepost --help)"),
    (
        ["customers", "show", "ada", "grace"],
        "error: got unexpected extra argument (grace) (see milepost customers show --help)",
    ),
    (["completion", "tcsh"], "error: invalid value for '{bash|zsh|fish}': 'tcsh' is not one of 'bash', 'zsh', 'fish'"),
]


@pytest.mark.parametrize(("args", "said"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_are_one_line_with_exit_code_2(args: list[str], said: str, tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, args, prog_name="milepost", env={"MILEPOST_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(said) and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "milepost.db").exists()  # a usage error opens no database


def test_a_usage_error_reads_like_an_application_error_from_the_real_command(tmp_path: Path) -> None:
    cli_ = MilepostCli(tmp_path)
    usage = cli_("events", "create", "--store", "demo", "--x", expect=2)
    assert usage.stderr == "error: no such option: --x (see milepost events create --help)\n"
    application = cli_("customers", "show", "ada", "--store", "nowhere", expect=2)
    assert application.stderr == "error: no store with the key 'nowhere'\n"


def test_milepost_alone_still_shows_the_help() -> None:
    done = CliRunner().invoke(cli, [], prog_name="milepost")
    assert "Usage: milepost" in done.stderr + done.stdout and "error:" not in done.stderr


# -- help -------------------------------------------------------------------------------------


def test_help_lists_every_command_under_its_task() -> None:
    shown = CliRunner().invoke(cli, ["--help"], prog_name="milepost", terminal_width=200).stdout
    sections = shown.split("\n\n")
    headings = [s.splitlines()[0] for s in sections if s.strip() and not s.startswith((" ", "Usage", "Options"))]
    assert headings == ["Run:", "Configure:", "Customers:", "Watch:", "Other:"]
    by_task = {s.splitlines()[0].rstrip(":"): [line.split()[0] for line in s.splitlines()[1:]] for s in sections[3:]}
    assert by_task["Run"][:3] == ["serve", "worker", "ingest"]
    assert by_task["Configure"] == [
        "stores",
        "events",
        "programs",
        "automations",
        "segments",
        "pools",
        "templates",
        "webhooks",
        "keys",
        "users",
    ]
    assert by_task["Customers"] == ["customers", "credit", "points", "codes"]
    assert by_task["Watch"] == ["milestones", "deliveries", "alerts", "mailbox"]
    assert {"demo", "completion"} <= set(by_task["Other"])
    listed = [name for names in by_task.values() for name in names]
    assert sorted(listed) == sorted(cli.list_commands(None))  # type: ignore[arg-type]  # each once, none lost


# -- --store ------------------------------------------------------------------------------------


def test_store_defaults_to_the_only_store_then_to_milepost_store(fresh: MilepostCli) -> None:
    # Given no store at all, a command without --store says what to do
    none = fresh("events", "list", expect=2)
    assert none.stderr == "error: --store is required: there is no store yet; pass --store or set MILEPOST_STORE\n"
    # Given one store, it is the default
    fresh("stores", "create", "shop", "--name", "Shop", "--currency", "EUR")
    fresh("events", "create", "--count", "3", "--name", "Third", "--add-tag", "Regular")
    assert [e["name"] for e in fresh.json("events", "list", "--store", "shop")] == ["Third"]
    # Given three, the command names them, and MILEPOST_STORE or --store chooses
    fresh("stores", "create", "demo", "--name", "Demo", "--currency", "USD")
    fresh("stores", "create", "x", "--name", "X", "--currency", "USD")
    many = fresh("events", "list", expect=2)
    assert many.stderr == (
        "error: --store is required: there are 3 stores (demo, shop, x); pass --store or set MILEPOST_STORE\n"
    )
    fresh.env["MILEPOST_STORE"] = "shop"
    assert [e["name"] for e in fresh.json("events", "list")] == ["Third"]
    assert fresh.json("events", "list", "--store", "demo") == []  # --store wins over MILEPOST_STORE
    fresh.env["MILEPOST_STORE"] = "nowhere"
    assert fresh("events", "list", expect=2).stderr == "error: no store with the key 'nowhere'\n"


# -- completion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete -o nosort"), ("zsh", "compdef"), ("fish", "complete")]
)
def test_completion_prints_each_shells_script(shell: str, marker: str) -> None:
    done = CliRunner().invoke(cli, ["completion", shell], prog_name="milepost")
    assert done.exit_code == 0 and marker in done.stdout and "_MILEPOST_COMPLETE" in done.stdout


def test_completion_help_says_how_to_install_it() -> None:
    shown = CliRunner().invoke(cli, ["completion", "--help"], prog_name="milepost").stdout
    assert 'eval "$(milepost completion bash)"' in shown and "~/.config/fish/completions/milepost.fish" in shown


def test_bash_completes_a_subcommand_with_the_script_sourced(tmp_path: Path) -> None:
    # Given a `milepost` on the PATH and its bash script sourced
    cli_ = MilepostCli(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "milepost"
    shim.write_text(f'#!/bin/sh\nexec {" ".join(CLI)} "$@"\n')
    shim.chmod(0o755)
    (tmp_path / "milepost.bash").write_text(cli_("completion", "bash").stdout)
    # When bash completes `milepost ev`, `milepost events cr` and `milepost keys create --scope `
    complete = 'COMPREPLY=(); COMP_WORDS=({}); COMP_CWORD={}; _milepost_completion milepost; echo "${{COMPREPLY[*]}}"'
    script = "\n".join(
        [
            f"source {tmp_path / 'milepost.bash'}",
            complete.format("milepost ev", 1),
            complete.format("milepost events cr", 2),
            complete.format("milepost keys create --scope ''", 4),
        ]
    )
    env = {**cli_.env, "PATH": f"{bin_dir}:{cli_.env['PATH']}"}
    done = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    # Then it offers the commands and choices that fit
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["events", "create", "ingest read admin"]
    assert not (tmp_path / "milepost.db").exists()  # completing opens no database
