"""Thin python-telegram-bot handlers: who is asking, which flow to call, which screen to show."""
