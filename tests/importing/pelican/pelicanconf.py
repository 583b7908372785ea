AUTHOR = "Ada"
SITENAME = "An old Pelican blog"
SITEURL = "https://pelican.example.com"
PATH = "content"
TIMEZONE = "Europe/Paris"
ARTICLE_URL = "{date:%Y}/{slug}.html"
STATIC_PATHS = ["images"]
MENU_TITLE = SITENAME.upper()  # code, not a literal: read, never run
