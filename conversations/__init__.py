"""The dialogs: the ALSFRS instrument, the assessment state machine, and the Telegram handlers."""
