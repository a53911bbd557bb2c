"""Local development stack: an SMTP inbox and a one-command runner (``make run``)."""
