"""Console tests: `tutorbot console` run as a real process."""
