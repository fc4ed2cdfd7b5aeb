"""The relay: the outbox worker. It claims due messages, delivers them through the channels
it is handed (`Channels`: SMTP, Twilio, webhooks, built in bootstrap.py), records each
attempt, backs off on temporary failures and parks dead letters with an alert."""

from milepost.relay.ports import Channels
from milepost.relay.worker import Worker, worker_name

__all__ = ["Channels", "Worker", "worker_name"]
