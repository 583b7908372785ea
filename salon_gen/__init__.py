"""salon: turns a folder of Markdown and a list of friends into a personal website."""

__version__ = "0.1.0"
# Where people (publishers reading their logs, feed readers) can learn what salon is.
HOMEPAGE = "https://salon.example/"
