"""The site build: the engine and its record, the stages, rendering pages and feeds, link checks,
the leak stage, and writing `site/`.
"""
