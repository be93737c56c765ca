"""The commitments domain: aggregates, events and pure rules.

Pure Python plus the eventsourcing library's aggregate base; no web, database
or queue framework is imported here.
"""
