"""What the owner's commands write into the salon folder: a share made from a URL, new person files
from a site or an OPML file, entries in a person's private logs.
"""
