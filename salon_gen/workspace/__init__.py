"""The salon folder as a place on disk: its `.salon/` state, the writers' lock, stopping in order,
and `salon init`'s scaffold.
"""
