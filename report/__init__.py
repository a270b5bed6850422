"""Meeting material: chart images (PNG/SVG), slide decks (.pptx) and Excel lists (.xlsx).

`render` keeps one Chromium for every image, `images` turns a figure into a self-explaining
picture, `slides` builds a 16:9 deck, `excel` writes lists, `sections`/`pages` say what each
page's deck (and the weekly meeting deck) contains, `cli` is `python -m report`.
"""
