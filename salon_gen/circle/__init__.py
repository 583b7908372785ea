"""The private side: contacts, reminders, the private calendar, introductions, the circle commands,
and the guard that keeps private values out of the site.
"""
