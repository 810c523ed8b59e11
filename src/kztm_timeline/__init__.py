"""kztm-timeline: an evidence-backed timeline of Kazakhstan–Turkmenistan relations."""

__version__ = "0.1.0"

# The version of the output contract (field names, types and nesting of every command's records, and the rule that
# flattens them for CSV and Parquet), declared in contract/fields.py. MINOR only adds; MAJOR removes, renames or
# retypes. Independent of the tool's version. 4.0: plans gain due, chart records without_period (their period may be
# null), stats count the events with no year of their own under without_year rather than under the year "…".
# 4.1: plans gain no_outcome_found (a search of a corpus for a plan's outcome that found none). 4.2: a new table,
# cache (the entries `timeline cache info` lists).
CONTRACT_VERSION = "4.2"
