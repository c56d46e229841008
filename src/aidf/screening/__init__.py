"""Restricted-party screening: published lists as versioned data, and matches that explain themselves.

lists.py reads the Consolidated Screening List (CSV or JSON) and FollowTheMoney JSON lines into
entries; normalize.py folds names; index.py blocks and scores with named features; store.py keeps
list versions, entries and clearances in the ledger database; check.py screens a transaction's
parties; entity_list.py, denied_persons.py and sdn.py say what a hit on each list does.
"""
