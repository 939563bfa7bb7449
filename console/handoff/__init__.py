"""The human handoff queue: a citizen's request for a person waits here until a helper at a
service centre claims it from the console, and is ended, missed or cancelled.

- `model`: the `Handoff` record, its states and outcomes, `ClaimResult`.
- `store`: the async `HandoffStore` interface; `memory`, `redis_store` and `sql` implement it,
  `factory.make_store` picks one.
- `hours`: the centres' working hours (`console/centres.yml`) and the next opening in Vietnamese.
- `masking.mask`: a message with phone, CCCD and dossier numbers hidden.
- `errors`: what the queue refuses (`NotFound`, `WrongState`, `AlreadyClaimed`, `NotHolder`, …).

Nothing is imported here, so using one module (say, `masking`) costs no Redis or SQL import.
"""
