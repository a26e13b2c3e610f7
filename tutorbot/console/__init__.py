"""`tutorbot console`: the same tutoring as the Discord bot, in a terminal, same services."""
