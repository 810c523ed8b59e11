"""kztm-timeline: an evidence-backed timeline of Kazakhstan–Turkmenistan relations."""

__version__ = "0.1.0"
