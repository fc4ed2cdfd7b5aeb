"""`milepost worker`, `milepost deliveries ...` and `milepost mailbox ...` through the real command (support/cli.py)
on the demo store: with no SMTP server configured the demo's emails land in the local mailbox."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from support.cli import CLI
from support.cli import MilepostCli as Milepost


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    mp = Milepost(tmp_path_factory.mktemp("milepost"), MILEPOST_DELIVERY_POLL="0.1")
    mp("demo")
    return mp


def test_the_worker_delivers_the_demo_emails_into_the_local_mailbox(milepost: Milepost) -> None:
    pending = milepost.json("deliveries", "list", "--store", "demo", "--status", "pending")
    assert pending and all(d["channel"] == "email" for d in pending)
    done = milepost("worker", "--once", "--store", "demo")
    assert "local mailbox" in done.stdout and "delivered" in done.stdout
    assert milepost.json("deliveries", "list", "--store", "demo", "--status", "pending") == []
    mails = milepost.json("mailbox", "list", "--store", "demo")
    sent = milepost.json("deliveries", "list", "--store", "demo", "--status", "sent")
    assert len(mails) == len(sent) > 0
    shown = milepost("mailbox", "show", mails[0]["id"], "--store", "demo").stdout
    assert f"Message-ID: {mails[0]['message_id']}" in shown and "Subject:" in shown
    table = milepost("mailbox", "list", "--store", "demo").stdout
    assert mails[0]["id"] in table


def test_a_delivery_shows_its_attempts_and_a_sent_one_cannot_be_retried(milepost: Milepost) -> None:
    milepost("worker", "--once", "--store", "demo")
    sent = milepost.json("deliveries", "list", "--store", "demo", "--status", "sent")
    shown = milepost.json("deliveries", "show", sent[0]["id"], "--store", "demo")
    assert [a["outcome"] for a in shown["attempt_log"]] == ["sent"]
    assert "Attempts" in milepost("deliveries", "show", sent[0]["id"], "--store", "demo").stdout
    refused = milepost("deliveries", "retry", sent[0]["id"], "--store", "demo", expect=2)
    assert "only dead, pending or skipped" in refused.stderr
    assert "queued 0 dead deliveries" in milepost("deliveries", "retry", "--all-dead", "--store", "demo").stdout
    milepost("deliveries", "retry", "--store", "demo", expect=2)  # neither an id nor --all-dead


def test_the_worker_runs_until_sigterm(milepost: Milepost) -> None:
    worker = subprocess.Popen(
        [*CLI, "worker", "--store", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=milepost.env
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().startswith("worker ")  # it is up, SIGTERM handled
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "stopped after delivering" in out


def test_the_store_sets_its_reply_to_address_and_logo(milepost: Milepost) -> None:
    url = "https://shop.example/logo.png"
    shown = milepost.json("stores", "update", "demo", "--reply-to", "help@shop.example", "--logo-url", url)
    assert (shown["reply_to_address"], shown["logo_url"]) == ("help@shop.example", url)
    bad = milepost("stores", "update", "demo", "--logo-url", "ftp://shop.example/logo.png", expect=2)
    assert bad.stderr.startswith("error: ") and "logo_url" in bad.stderr and bad.stderr.count("\n") == 1
    cleared = milepost.json("stores", "update", "demo", "--reply-to", "", "--logo-url", "")
    assert (cleared["reply_to_address"], cleared["logo_url"]) == (None, None)
