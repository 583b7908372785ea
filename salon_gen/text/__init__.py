"""Pure text transformations: front matter, Markdown and MathML, sanitizing remote HTML, leftover
template syntax.
"""
