"""The program office's command-line tools, behind ``starter.py``."""
