"""Domain models shared by workflows, activities and the command-line tools.

Everything here is plain data: no I/O, no clock and no zoneinfo, so the
workflow sandbox can import it and replay stays deterministic.
"""
