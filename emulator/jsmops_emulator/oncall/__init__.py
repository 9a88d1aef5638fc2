"""Who is on call and when: the on-call, timeline and iCalendar routes of the emulator (rules in RULES.md)."""
