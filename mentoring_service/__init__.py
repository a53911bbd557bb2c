"""The service around the domain: everything that connects, encrypts, configures and
runs the workflows and activities, and the program office's commands.

- ``settings.py``: every setting read from the environment (docs/configuration.md);
- ``connection.py``: connecting to Temporal (envconfig) with the project's converter;
- ``codec.py``, ``keys.py``: payload encryption, and where its keys come from;
- ``codec_server.py``: decrypts payloads for admins in the Temporal UI and CLI;
- ``workers.py``: which workflows and activities run on which task queue;
- ``time_skipping.py``, ``inbox.py``: the test server and local inbox of ``starter.py simulate``;
- ``cli/``: the commands behind ``starter.py`` and ``ops.py``.

``settings.py``, ``keys.py`` and ``codec.py`` import nothing of workflows or activities,
so either side may use them; ``workers.py`` and ``cli/`` put everything together.
"""
