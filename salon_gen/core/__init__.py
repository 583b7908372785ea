"""The vocabulary every other package speaks: diagnostics, model values, URLs, durations, interests
and the checked site config. Pure; imports nothing else of salon's.
"""
