AUTHOR = "Ada"
SITENAME = "An old Pelican blog"
SITEURL = "https://pelican.example.com"
PATH = "content"
TIMEZONE = "Europe/Paris"
ARTICLE_URL = "{date:%Y}/{slug}.html"
STATIC_PATHS = ["images"]
import os  # a real pelicanconf.py may hold code; it is never run
