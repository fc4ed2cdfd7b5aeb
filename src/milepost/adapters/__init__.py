"""Adapters at the edge: storage and (later) delivery channels."""
