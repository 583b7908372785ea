"""Webmentions as values: which targets a post owes, endpoint discovery, the record of what was
sent, and mentions received.
"""
