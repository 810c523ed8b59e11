"""``python -m kztm_timeline`` runs the same CLI as ``timeline``."""

from .cli import main

main()
