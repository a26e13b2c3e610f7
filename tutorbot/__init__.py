"""TutorBot: a Discord tutoring bot that teaches a knowledge graph of topics."""

__version__ = "0.1.0"
