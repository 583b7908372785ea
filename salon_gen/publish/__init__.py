"""Putting the site out and telling the world: deploy, the git branch, the search index, sending
Webmentions, receiving them, pinging the hub.
"""
