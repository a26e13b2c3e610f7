"""Discord-side tests: the real TutorBot in-process against the fake Discord."""
