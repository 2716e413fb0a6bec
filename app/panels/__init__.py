"""Citizens' panels (issue #14): selecting a deliberation body by stratified lottery.

The algorithms are pure and live in `app/representation/sortition.py`; this package holds the
offline command (`flask panel select`) and its CSV files.
"""
