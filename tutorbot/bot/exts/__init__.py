"""One discord.py extension per feature; `TutorBot.setup_hook` loads each by name."""
