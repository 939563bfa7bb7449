"""The dossier (hồ sơ) as the assistant knows it, whoever asks: what a dossier holds and what
its dates mean today (model.py), and dossier codes as citizens type them (codes.py).

Plain Python and pydantic, like procedures_kb: the portal client (connectors/portal) fills it,
the assistant (bot) words it for the citizen, and neither owns it.
"""
