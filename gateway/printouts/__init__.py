"""Printable documents of the proposal and public-opinion workflows, rendered from Jinja2 templates as print-ready
HTML (A4, Chinese fonts): the assignment slip (交办单), the feedback form (征询意见表), the opinion letter of a
proposal not accepted (意见建议函), and an issue of 《社情民意》. Served by `route.py` beside the XLSX exports,
from the same read models as GraphQL; each committee may override any template (`rendering.py`)."""
