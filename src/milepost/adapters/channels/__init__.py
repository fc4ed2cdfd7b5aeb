"""Channels that deliver the outbox: webhooks (Standard Webhooks), email, SMS."""
