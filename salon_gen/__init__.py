"""salon: turns a folder of Markdown and a list of friends into a personal website."""

__version__ = "0.1.0"
