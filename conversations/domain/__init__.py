"""The pure domain: the instrument, the assessment and symptom state machines, the decline
rules and the schedule arithmetic. No I/O: imports neither telegram, nor storage, nor aiosqlite."""
