"""Following friends: the HTTP client, feed parsing, the SQLite store, schedules, one round of
fetching, local feeds and OPML files.
"""
