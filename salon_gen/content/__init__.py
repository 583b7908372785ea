"""The owner's folder read into values: sources, one file parsed, page bundles, publication rules,
the render cache, and assembly into one `Site`.
"""
