"""Wiring: settings, the Application, the CLI, local mode."""
