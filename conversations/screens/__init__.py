"""What a person sees: message text and keyboards built from domain state, with no I/O."""
